//! Id lookups alone (a benchmark, not a test): a table of N ids, looked up as the investments
//! look up their lenders — chunks of 4,096 rows ordered by the fingerprint's top bits, each
//! slot prefetched eight lookups ahead — first as filled, then frozen (`FpMap::freeze_at`) at
//! 80, 85 and 90 % of its home slots.
//!
//! ```text
//! cargo run --release --example lookups -- [N_MILLIONS] [LOOKUPS_MILLIONS]
//! ```
//!
//! Prints the table's bytes and the best of three passes in each layout.

use winddown::input::ids::{Fp, FpMap};

#[global_allocator]
static ALLOCATOR: winddown::memory::Allocator = winddown::memory::Allocator;

const CHUNK: usize = 4096;
const AHEAD: usize = 8;

fn main() {
    let arg = |i: usize, default: usize| {
        std::env::args()
            .nth(i)
            .and_then(|a| a.parse::<usize>().ok())
            .unwrap_or(default)
    };
    let (n, lookups) = (arg(1, 50).max(1) * 1_000_000, arg(2, 50) * 1_000_000);
    let mut map: FpMap<u32> = FpMap::with_expected(n);
    for i in 0..n {
        let _ = map.insert_new(Fp::of(format!("L{i:09}").as_bytes()), i as u32);
    }
    // The ids looked up: a fixed pseudo-random walk over the table's ids.
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let ids: Vec<Fp> = (0..lookups)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            Fp::of(format!("L{:09}", x % n as u64).as_bytes())
        })
        .collect();
    let table = map.clone();
    for load in [0.0, 0.8, 0.85, 0.9] {
        let layout = if load == 0.0 {
            "table".to_string()
        } else {
            map = table.clone();
            let t = std::time::Instant::now();
            map.freeze_at(load);
            println!("froze in {:.2} s", t.elapsed().as_secs_f64());
            format!("frozen at {load}")
        };
        let mut best = f64::MAX;
        let mut found = 0u64;
        for _ in 0..3 {
            let t = std::time::Instant::now();
            found = 0;
            let mut chunk: Vec<Fp> = Vec::with_capacity(CHUNK);
            for part in ids.chunks(CHUNK) {
                chunk.clear();
                chunk.extend_from_slice(part);
                chunk.sort_unstable_by_key(|fp| fp.top_bits(12));
                for k in 0..chunk.len() {
                    if let Some(fp) = chunk.get(k + AHEAD) {
                        map.prefetch(*fp);
                    }
                    found += u64::from(map.get(chunk[k]).is_some());
                }
            }
            best = best.min(t.elapsed().as_secs_f64());
        }
        println!(
            "{layout}: {} MB, {found} of {} found, best {best:.2} s ({:.1} ns a lookup)",
            map.bytes() >> 20,
            ids.len(),
            best * 1e9 / ids.len() as f64
        );
    }
}
