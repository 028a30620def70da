//! `winddown serve`: the desk in a browser over a run folder, until stopped (Ctrl-C).

use crate::cli::args::ServeArgs;
use crate::cli::console::Log;
use crate::error::Result;

pub fn serve(args: ServeArgs, log: &Log) -> Result<()> {
    // `serve EARLIER LATER`: the later is served, the earlier only compared with.
    let (run, earlier) = match args.runs.as_slice() {
        [old, new] => (new, Some(old.as_path())),
        [one, ..] => (one, None),
        [] => {
            return Err(crate::error::Error::Usage(
                "serve: which run folder?".into(),
            ))
        }
    };
    let folders = crate::desk::Folders {
        run,
        earlier,
        compare: args.compare.as_deref(),
        vote: args.vote.as_deref(),
        payments: args.payments.as_deref(),
    };
    crate::desk::serve(&folders, args.bind, args.port, &|addr, token| {
        let url = match token {
            None => format!("http://{addr}/"),
            Some(t) => format!("http://{addr}/?token={t}"),
        };
        log.info(&format!(
            "服务台 desk: {url} (只读 read-only; Ctrl-C 停止 to stop){}",
            if token.is_some() {
                "; every request needs this token"
            } else {
                ""
            }
        ));
    })
}
