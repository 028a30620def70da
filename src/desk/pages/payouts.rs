//! `/payouts`: every payout round of every platform, the bank batches' control totals and the
//! returned transfers held or re-issued.

use super::*;

#[derive(Serialize)]
pub struct PlatformRounds {
    pub platform_id: String,
    pub rounds: Vec<RoundLine>,
}

#[derive(Serialize, Template)]
#[template(
    ext = "html",
    source = r#"<h1>兑付 Payouts <small>{{ rounds }} 轮 rounds, {{ platforms.len() }} 个平台 platforms</small></h1>
<p class="downloads">下载 download: 兑付轮次 rounds <a href="/payouts?format=csv">CSV</a> · <a href="/payouts?format=xlsx">Excel</a>{% if !returned.is_empty() %} · 退汇 returned <a href="/payouts?format=csv&amp;table=returned">CSV</a> · <a href="/payouts?format=xlsx&amp;table=returned">Excel</a>{% endif %}{% if !batches.is_empty() %} · 银行批次 batches <a href="/payouts?format=csv&amp;table=batches">CSV</a> · <a href="/payouts?format=xlsx&amp;table=batches">Excel</a>{% endif %}</p>
<p>可分配 pool <span title="{{ pool.exact }} 元">{{ pool.short }}</span> · 兑付 paid <span title="{{ paid.exact }} 元">{{ paid.short }}</span> · 提存 reserved <span title="{{ reserved.exact }} 元">{{ reserved.short }}</span></p>
<table><tr><th>平台 platform</th><th>轮次 round</th><th>可分配 pool</th><th>兑付 paid</th><th>提存 reserved</th><th>结转 carried</th><th>结余 surplus</th><th>出借人 lenders (paid)</th></tr>
{% for p in platforms %}{% for r in p.rounds %}<tr><td><a href="/platforms/{{ p.platform_id|urlencode_strict }}">{{ p.platform_id }}</a></td><td class="n">{{ r.round }}</td><td class="n" title="{{ r.pool.exact }} 元">{{ r.pool.short }}</td><td class="n" title="{{ r.paid.exact }} 元">{{ r.paid.short }}</td><td class="n" title="{{ r.reserved.exact }} 元">{{ r.reserved.short }}</td><td class="n" title="{{ r.carried.exact }} 元">{{ r.carried.short }}</td><td class="n" title="{{ r.surplus.exact }} 元">{{ r.surplus.short }}</td><td class="n">{{ r.lenders }} ({{ r.lenders_paid }})</td></tr>
{% endfor %}{% endfor %}</table>
{% if !returned.is_empty() %}<h2>退汇 Returned transfers <small>{{ returned.len() }}</small></h2>
<table><tr><th>平台 platform</th><th>轮次 round</th><th>出借人 lender</th><th>退汇合计 returned</th><th>保管中 held</th><th>本次重发 re-issued</th><th>处理 disposition</th><th>依据 reason</th></tr>
{% for r in returned %}<tr><td><a href="/platforms/{{ r.platform_id|urlencode_strict }}">{{ r.platform_id }}</a></td><td class="n">{{ r.round }}</td><td><a href="/lenders/{{ r.lender_id|urlencode_strict }}">{{ r.lender_id }}</a></td><td class="n">{{ r.returned_total.exact }}</td><td class="n">{{ r.held.exact }}</td><td class="n">{{ r.reissued.exact }}</td><td>{{ r.disposition }}</td><td>{{ r.reason_zh }}</td></tr>
{% endfor %}</table>{% endif %}
{% if !batches.is_empty() %}<h2>银行批次 Bank batches <small>{{ batches.len() }} 轮 rounds</small></h2>
<p>每轮控制文件的合计与本轮兑付核对 Each round's control file against the round's paid amount.</p>
<table><tr><th>平台 platform</th><th>轮次 round</th><th>批次 batches</th><th>笔数 transfers</th><th>金额合计 total</th><th>缺账号 without account</th><th>需人工核对 to check</th><th>与兑付核对 against paid</th><th>控制文件 control file</th></tr>
{% for b in batches %}<tr><td><a href="/platforms/{{ b.platform_id|urlencode_strict }}">{{ b.platform_id }}</a></td><td class="n">{{ b.round }}</td><td class="n" title="{% for l in b.banks %}{{ l }}&#10;{% endfor %}">{{ b.batches }}</td><td class="n">{{ b.transfers }}</td><td class="n">{{ b.total.exact }}</td><td class="n">{% if b.without_account > 0 %}<strong>{{ b.without_account }}</strong>{% else %}0{% endif %}</td><td class="n">{{ b.to_check }}</td><td>{% match b.against_paid %}{% when Some(true) %}相符 agrees{% when Some(false) %}<strong>不符 differs: {{ b.paid.exact }}</strong>{% when None %}本次运行无此轮 not a round of this run{% endmatch %}</td><td>{{ b.file }}</td></tr>
{% endfor %}</table>{% endif %}"#
)]
pub struct Payouts {
    pub rounds: usize,
    pub pool: Money,
    pub paid: Money,
    pub reserved: Money,
    pub platforms: Vec<PlatformRounds>,
    pub returned: Vec<ReturnedLine>,
    /// The bank batches' control totals, when the desk was given the payments folder.
    pub batches: Vec<BatchRound>,
}

/// One round's bank batches, checked against the round.
#[derive(Serialize)]
pub struct BatchRound {
    pub platform_id: String,
    pub round: i64,
    pub file: String,
    pub batches: usize,
    /// "bank: transfers, total" per batch file.
    pub banks: Vec<String>,
    pub transfers: u64,
    pub total: Money,
    pub without_account: u64,
    pub to_check: usize,
    /// The round's paid amount in payout_rounds.parquet (or what it re-issued).
    pub paid: Money,
    /// Whether the control total is the round's paid (or re-issued) amount; None when the
    /// served run has no such round.
    pub against_paid: Option<bool>,
}

#[derive(Serialize)]
pub struct ReturnedLine {
    pub platform_id: String,
    pub round: i64,
    pub lender_id: String,
    pub returned_total: Money,
    pub held: Money,
    pub reissued: Money,
    pub disposition: String,
    pub reason_zh: String,
}

/// The payouts page's tables as downloads: the rounds (the default), the returned transfers,
/// the bank batches' control totals.
pub(super) fn payout_table(desk: &Desk, which: Option<&str>) -> crate::desk::download::Table {
    use crate::desk::download::{Table, Value};
    let text = |s: &str| Value::Text(s.to_string());
    match which {
        Some("returned") => Table {
            stem: "returned_transfers",
            sheet: "退汇 returned",
            headers: crate::desk::download::headers(&[
                "平台 platform_id",
                "轮次 round",
                "出借人 lender_id",
                "退汇合计(元) returned_total",
                "保管中(元) held",
                "本次重发(元) reissued",
                "处理 disposition",
                "依据 reason",
            ]),
            rows: desk
                .run
                .returned
                .iter()
                .map(|r| {
                    vec![
                        text(&r.platform_id),
                        Value::Int(r.round),
                        text(&r.lender_id),
                        Value::Money(r.returned_total),
                        Value::Money(r.held),
                        Value::Money(r.reissued),
                        text(&r.disposition),
                        text(&r.reason_zh),
                    ]
                })
                .collect(),
        },
        Some("batches") => Table {
            stem: "batch_controls",
            sheet: "银行批次 batches",
            headers: crate::desk::download::headers(&[
                "平台 platform_id",
                "轮次 round",
                "控制文件 control file",
                "批次 batches",
                "笔数 transfers",
                "金额合计(元) total",
                "缺账号 without account",
                "需人工核对 to check",
            ]),
            rows: desk
                .batches
                .iter()
                .map(|c| {
                    vec![
                        text(&c.platform_id),
                        Value::Int(c.round),
                        text(&c.file),
                        Value::Int(c.batches.len() as i64),
                        Value::Int(c.transfers as i64),
                        Value::Money(c.total),
                        Value::Int(c.without_account as i64),
                        Value::Int(c.to_check as i64),
                    ]
                })
                .collect(),
        },
        _ => Table {
            stem: "payout_rounds",
            sheet: "兑付轮次 rounds",
            headers: crate::desk::download::headers(&[
                "平台 platform_id",
                "轮次 round",
                "可分配(元) pool",
                "兑付(元) paid",
                "提存(元) reserved",
                "结转(元) carried",
                "退汇(元) returned",
                "结余(元) surplus",
                "出借人 lenders",
                "获兑付 lenders_paid",
            ]),
            rows: desk
                .run
                .rounds
                .iter()
                .map(|r| {
                    vec![
                        text(&r.platform_id),
                        Value::Int(r.round),
                        Value::Money(r.pool.get()),
                        Value::Money(r.paid.get()),
                        Value::Money(r.reserved.get()),
                        Value::Money(r.carried.get()),
                        Value::Money(r.returned.get()),
                        Value::Money(r.surplus.get()),
                        Value::Int(r.lenders),
                        Value::Int(r.lenders_paid),
                    ]
                })
                .collect(),
        },
    }
}

pub async fn payouts(State(desk): State<Arc<Desk>>, Query(f): Query<Format>) -> Response {
    if let Some(r) = crate::desk::download::respond(
        &payout_table(&desk, f.table.as_deref()),
        f.format.as_deref(),
    ) {
        return r;
    }
    let rounds = &desk.run.rounds;
    let mut platforms: Vec<PlatformRounds> = Vec::new();
    for r in rounds {
        match platforms.last_mut() {
            Some(p) if p.platform_id == r.platform_id => p.rounds.push(round_line(r)),
            _ => platforms.push(PlatformRounds {
                platform_id: r.platform_id.clone(),
                rounds: vec![round_line(r)],
            }),
        }
    }
    let sum = |f: fn(&Round) -> i64| money(rounds.iter().map(f).sum());
    let page = Payouts {
        rounds: rounds.len(),
        pool: sum(|r| r.pool.get()),
        paid: sum(|r| r.paid.get()),
        reserved: sum(|r| r.reserved.get()),
        platforms,
        returned: desk
            .run
            .returned
            .iter()
            .map(|r| ReturnedLine {
                platform_id: r.platform_id.clone(),
                round: r.round,
                lender_id: r.lender_id.clone(),
                returned_total: money(r.returned_total),
                held: money(r.held),
                reissued: money(r.reissued),
                disposition: r.disposition.clone(),
                reason_zh: r.reason_zh.clone(),
            })
            .collect(),
        batches: desk
            .batches
            .iter()
            .map(|c| {
                let round = rounds
                    .iter()
                    .find(|r| r.platform_id == c.platform_id && r.round == c.round);
                BatchRound {
                    platform_id: c.platform_id.clone(),
                    round: c.round,
                    file: c.file.clone(),
                    batches: c.batches.len(),
                    banks: c
                        .batches
                        .iter()
                        .map(|b| {
                            format!(
                                "{}: {} 笔, {} 元",
                                b.bank,
                                b.transfers,
                                grouped(i128::from(b.total))
                            )
                        })
                        .collect(),
                    transfers: c.transfers,
                    total: money(c.total),
                    without_account: c.without_account,
                    to_check: c.to_check,
                    paid: money(round.map_or(0, |r| r.paid.get())),
                    against_paid: round
                        .map(|r| c.total == r.paid.get() || c.total == r.reissued.get()),
                }
            })
            .collect(),
    };
    answer(&page, "兑付 Payouts", f.format.as_deref())
}
