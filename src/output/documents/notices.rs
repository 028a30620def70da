//! notices.html: one printable notice (兑付公告) per platform and payout round computed in
//! the run — the pool, how it was divided and on what claims, the ratio reached, the lenders
//! paid, what was reserved and how a lender claims it, the minimum-payment carry-overs, the
//! date. Chinese, one A4 page each, no personal data.

use std::fmt::Write;

use crate::config::{Basis, Config};
use crate::domain::date::Date;
use crate::domain::money::{grouped, wan_yi};
use crate::output::documents::report::esc;
use crate::payout::allocate::{Division, Rule};
use crate::payout::rounds::Payouts;
use crate::rules::Analysis;

const STYLE: &str = r#"
body { font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", "SimSun", serif; color: #111; max-width: 780px; margin: 24px auto; padding: 0 16px; line-height: 1.7; }
section.notice { page-break-after: always; break-after: page; padding-bottom: 24px; border-bottom: 1px dashed #999; margin-bottom: 24px; }
h1 { text-align: center; font-size: 22px; letter-spacing: 2px; margin-bottom: 4px; }
p.no { text-align: center; color: #444; margin-top: 0; }
table { border-collapse: collapse; margin: 12px 0; width: 100%; }
th, td { border: 1px solid #555; padding: 4px 8px; } th { text-align: left; width: 38%; background: #f4f4f4; } td { text-align: right; }
p.sign { text-align: right; margin-top: 32px; }
@page { size: A4; margin: 22mm 20mm; }
@media print { body { margin: 0; max-width: none; } section.notice { border: none; } }
"#;

/// How the pool was divided, as the notice states it.
fn method(rule: Rule) -> String {
    match rule.division {
        Division::Pro => {
            "按各出借人剩余债权同比例分配：先将此前兑付比例较低的出借人补足至同一比例，再同比例分配"
                .into()
        }
        Division::SmallFirst(t) => format!(
            "小额优先：先向每位出借人兑付其债权中不超过 {} 元的部分，余额按剩余债权同比例分配",
            grouped(i128::from(t))
        ),
        Division::Cea => "等额分配：每位出借人兑付相同金额，以其剩余债权为限".into(),
        Division::Cel => "等损分配：每位出借人承担相同损失金额，兑付不低于零".into(),
        Division::Talmud => "塔木德规则（Aumann–Maschler）：按累计可分配资金对债权计算".into(),
        Division::Apro => "调整比例：先保障各出借人的最低权利，余额按调整后的债权同比例分配".into(),
        Division::RisingTide => {
            "水涨船高：出借人已提取的本金和收益计入已兑付，全部出借人提高至相同的回收比例".into()
        }
    }
}

/// The notices of the rounds computed in this run, in platform and round order.
pub fn notices_html(
    analysis: &Analysis,
    payouts: &Payouts,
    rule: Rule,
    config: &Config,
    as_of: Option<Date>,
) -> String {
    let by_code: std::collections::HashMap<u32, &crate::rules::PlatformRow> = analysis
        .platforms
        .iter()
        .map(|p| (p.metrics.code, p))
        .collect();
    let date = as_of.map_or_else(
        || "—".to_string(),
        |d| {
            let (y, m, d) = d.ymd();
            format!("{y}年{m}月{d}日")
        },
    );
    let mut rounds: Vec<_> = payouts.rounds.iter().filter(|r| r.computed).collect();
    let id = |code: u32| {
        by_code
            .get(&code)
            .map_or("", |p| p.metrics.platform_id.as_str())
    };
    rounds.sort_by(|a, b| {
        (id(a.platform).as_bytes(), a.round).cmp(&(id(b.platform).as_bytes(), b.round))
    });
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>兑付公告 / payout notices</title><style>{STYLE}</style></head><body>\n"
    );
    if rounds.is_empty() {
        let _ = writeln!(
            h,
            "<p>本次无兑付轮次。/ No payout round was computed in this run.</p>"
        );
    }
    for r in rounds {
        let Some(p) = by_code.get(&r.platform) else {
            continue;
        };
        let m = &p.metrics;
        let basis = match config.basis_for(p.class.class) {
            Basis::NetOfReturns => {
                "债权按本金折抵计算：出借本金减去已还本金，再减去已获得的利息、收益等（不低于零）"
            }
            Basis::OutstandingPrincipal => "债权按合同口径计算：出借本金减去已还本金",
        };
        let _ = writeln!(h, "<section class=\"notice\">");
        let _ = writeln!(
            h,
            "<h1>{}第{}轮兑付公告</h1><p class=\"no\">平台编号 {} · {}</p>",
            esc(&m.name),
            r.round,
            esc(&m.platform_id),
            p.class.class.zh()
        );
        let _ = writeln!(
            h,
            "<p>各位出借人：</p><p>{}清退工作第{}轮兑付方案已确定，现将有关事项公告如下。</p>",
            esc(&m.name),
            r.round
        );
        let _ = writeln!(h, "<table>");
        let row = |h: &mut String, k: &str, v: String| {
            let _ = writeln!(h, "<tr><th>{k}</th><td>{v}</td></tr>");
        };
        row(
            &mut h,
            "本轮可分配资金",
            format!(
                "{} 元（{}）",
                grouped(i128::from(r.pool)),
                wan_yi(i128::from(r.pool))
            ),
        );
        row(&mut h, "参与本轮分配的出借人", format!("{} 人", r.lenders));
        row(&mut h, "获得兑付的出借人", format!("{} 人", r.lenders_paid));
        row(
            &mut h,
            "本轮兑付金额",
            format!("{} 元", grouped(i128::from(r.paid))),
        );
        row(
            &mut h,
            "提存金额",
            format!("{} 元", grouped(i128::from(r.reserved))),
        );
        row(
            &mut h,
            "结转下一轮金额",
            format!("{} 元", grouped(i128::from(r.carried))),
        );
        row(
            &mut h,
            "结余（超出全部剩余债权）",
            format!("{} 元", grouped(i128::from(r.surplus))),
        );
        row(
            &mut h,
            "累计兑付比例（兑付水平）",
            r.level
                .map_or("—".to_string(), |l| format!("{:.2}%", l * 100.0)),
        );
        let _ = writeln!(h, "</table>");
        let _ = writeln!(h, "<p>一、分配方式：{}。{}。</p>", method(rule), basis);
        let _ = writeln!(
            h,
            "<p>二、兑付款项将划入出借人登记的银行账户。因账户信息不全、账户异常或出借人身份待核实等原因暂未支付的款项已予提存（共 {} 元），相关出借人可持本人有效身份证件及债权凭证向清算组申领，核实无误后予以支付。被银行退回的款项（退汇）仍归该出借人所有，由清算组代为保管，出借人更新收款账户后重新支付。</p>",
            grouped(i128::from(r.reserved))
        );
        match rule.min_payment {
            Some(min) => {
                let _ = writeln!(
                    h,
                    "<p>三、本轮应兑付金额低于 {} 元的，暂不支付，结转至下一轮合并兑付（本轮结转 {} 元）。</p>",
                    grouped(i128::from(min)),
                    grouped(i128::from(r.carried))
                );
            }
            None => {
                let _ = writeln!(h, "<p>三、本轮未设最低兑付金额，不产生结转。</p>");
            }
        }
        let _ = writeln!(
            h,
            "<p>四、出借人对本人债权金额或兑付金额有异议的，可向清算组申请查询核对。</p><p class=\"sign\">{}清算组<br>{}</p>",
            esc(&m.name),
            date
        );
        let _ = writeln!(h, "</section>");
    }
    let _ = writeln!(h, "</body></html>");
    h
}
