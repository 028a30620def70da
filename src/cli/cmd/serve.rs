//! `winddown serve`: the desk in a browser over a run folder, until stopped (Ctrl-C).

use crate::cli::args::{EncodingArg, InputArgs, ServeArgs};
use crate::cli::console::Log;
use crate::error::{Error, Result};

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
    // --personal: the input the run read, its lenders' personal columns kept.
    let people = match &args.personal {
        None => None,
        Some(data) => {
            crate::desk::check_personal(run)?;
            let input = InputArgs {
                data: data.clone(),
                config: args.config.clone(),
                as_of: None,
                encoding: EncodingArg::Auto,
                strict: false,
                accept_float_money: false,
            };
            let (_, validated) = crate::cli::job::load(&input, true, log)?;
            let people = crate::desk::personal::People::of(validated.data).ok_or_else(|| {
                Error::Usage(format!(
                    "--personal: {} has no lenders' personal columns",
                    data.display()
                ))
            })?;
            log.info(
                "--personal: 出借人页面显示姓名、电话及证件号、账号末四位 lender pages show \
                 names, phones, and id numbers and accounts masked to their last four",
            );
            Some(people)
        }
    };
    if !crate::table::query::engine_is_built(&crate::table::query::engine()) {
        // The query page says the same to whoever opens it; every other page works.
        log.info(&crate::table::query::how_to_build().replacen("query:", "查询页 query page:", 1));
    }
    crate::desk::serve(&folders, people, args.bind, args.port, &|addr, token| {
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
