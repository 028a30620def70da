//! notices.html: one printable notice (兑付公告) per platform and payout round computed in
//! the run — the pool, how it was divided and on what claims, the ratio reached, the lenders
//! paid, what was reserved and how a lender claims it, the minimum-payment carry-overs, the
//! date. Chinese, one A4 page each, no personal data; rendered by a compile-time template that
//! escapes every value.

use askama::Template;

use crate::config::{Basis, Config};
use crate::domain::code::PlatformCode;
use crate::domain::date::Date;
use crate::error::Result;
use crate::output::documents::chart::Markup;
use crate::payout::allocate::{Division, Rule};
use crate::payout::rounds::Payouts;
use crate::present::number::{count, fen, share, wan_yi};
use crate::rules::Analysis;

/// How the pool was divided, as the notice states it.
fn method(rule: Rule) -> String {
    match rule.division {
        Division::Pro => {
            "按各出借人剩余债权同比例分配：先将此前兑付比例较低的出借人补足至同一比例，再同比例分配"
                .into()
        }
        Division::SmallFirst(t) => format!(
            "小额优先：先向每位出借人兑付其债权中不超过 {} 元的部分，余额按剩余债权同比例分配",
            fen(t)
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

/// One notice, its figures formatted.
struct Notice {
    name: String,
    platform_id: String,
    class: &'static str,
    round: i64,
    /// (what, figure) rows of the table.
    rows: Vec<(&'static str, String)>,
    method: String,
    basis: &'static str,
    reserved: String,
    /// The minimum payment and what it carried, if a minimum was set.
    minimum: Option<(String, String)>,
}

#[derive(Template)]
#[template(
    ext = "html",
    source = r#"<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>兑付公告 / payout notices</title><style>
body { font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", "SimSun", serif; color: rgb(17,17,17); max-width: 780px; margin: 24px auto; padding: 0 16px; line-height: 1.7; }
section.notice { page-break-after: always; break-after: page; padding-bottom: 24px; border-bottom: 1px dashed rgb(153,153,153); margin-bottom: 24px; }
h1 { text-align: center; font-size: 22px; letter-spacing: 2px; margin-bottom: 4px; }
p.no { text-align: center; color: rgb(68,68,68); margin-top: 0; }
table { border-collapse: collapse; margin: 12px 0; width: 100%; }
th, td { border: 1px solid rgb(85,85,85); padding: 4px 8px; } th { text-align: left; width: 38%; background: rgb(244,244,244); } td { text-align: right; }
p.sign { text-align: right; margin-top: 32px; }
@page { size: A4; margin: 22mm 20mm; }
@media print { body { margin: 0; max-width: none; } section.notice { border: none; } }
</style></head><body>
{% if notices.is_empty() %}<p>本次无兑付轮次。/ No payout round was computed in this run.</p>
{% endif %}{% for n in notices %}<section class="notice">
<h1>{{ n.name }}第{{ n.round }}轮兑付公告</h1><p class="no">平台编号 {{ n.platform_id }} · {{ n.class }}</p>
<p>各位出借人：</p><p>{{ n.name }}清退工作第{{ n.round }}轮兑付方案已确定，现将有关事项公告如下。</p>
<table>
{% for r in n.rows %}<tr><th>{{ r.0 }}</th><td>{{ r.1 }}</td></tr>
{% endfor %}</table>
<p>一、分配方式：{{ n.method }}。{{ n.basis }}。</p>
<p>二、兑付款项将划入出借人登记的银行账户。因账户信息不全、账户异常或出借人身份待核实等原因暂未支付的款项已予提存（共 {{ n.reserved }} 元），相关出借人可持本人有效身份证件及债权凭证向清算组申领，核实无误后予以支付。被银行退回的款项（退汇）仍归该出借人所有，由清算组代为保管，出借人更新收款账户后重新支付。</p>
{% if let Some(m) = n.minimum %}<p>三、本轮应兑付金额低于 {{ m.0 }} 元的，暂不支付，结转至下一轮合并兑付（本轮结转 {{ m.1 }} 元）。</p>
{% else %}<p>三、本轮未设最低兑付金额，不产生结转。</p>
{% endif %}<p>四、出借人对本人债权金额或兑付金额有异议的，可向清算组申请查询核对。</p><p class="sign">{{ n.name }}清算组<br>{{ date }}</p>
</section>
{% endfor %}</body></html>
"#
)]
struct Notices {
    date: String,
    notices: Vec<Notice>,
}

/// The notices of the rounds computed in this run, in platform and round order, dated `date`
/// (the day they are published).
pub fn notices_html(
    analysis: &Analysis,
    payouts: &Payouts,
    rule: Rule,
    config: &Config,
    date: Option<Date>,
) -> Result<String> {
    let by_code: std::collections::HashMap<PlatformCode, &crate::rules::PlatformRow> = analysis
        .platforms
        .iter()
        .map(|p| (p.metrics.code, p))
        .collect();
    let date = date.map_or_else(
        || "—".to_string(),
        |d| {
            let (y, m, d) = d.ymd();
            format!("{y}年{m}月{d}日")
        },
    );
    let mut rounds: Vec<_> = payouts.rounds.iter().filter(|r| r.computed).collect();
    let id = |code: PlatformCode| {
        by_code
            .get(&code)
            .map_or("", |p| p.metrics.platform_id.as_str())
    };
    rounds.sort_by(|a, b| {
        (id(a.platform).as_bytes(), a.round).cmp(&(id(b.platform).as_bytes(), b.round))
    });
    let notices = rounds
        .into_iter()
        .filter_map(|r| {
            let p = by_code.get(&r.platform)?;
            let m = &p.metrics;
            let basis = match config.basis_for(p.class.class) {
                Basis::NetOfReturns => {
                    "债权按本金折抵计算：出借本金减去已还本金，再减去已获得的利息、收益等（不低于零）"
                }
                Basis::OutstandingPrincipal => "债权按合同口径计算：出借本金减去已还本金",
            };
            Some(Notice {
                name: m.name.clone(),
                platform_id: m.platform_id.clone(),
                class: p.class.class.zh(),
                round: r.round,
                rows: vec![
                    (
                        "本轮可分配资金",
                        format!("{} 元（{}）", fen(r.pool), wan_yi(i128::from(r.pool))),
                    ),
                    ("参与本轮分配的出借人", format!("{} 人", count(r.lenders))),
                    ("获得兑付的出借人", format!("{} 人", count(r.lenders_paid))),
                    ("本轮兑付金额", format!("{} 元", fen(r.paid))),
                    ("提存金额", format!("{} 元", fen(r.reserved))),
                    ("结转下一轮金额", format!("{} 元", fen(r.carried))),
                    ("结余（超出全部剩余债权）", format!("{} 元", fen(r.surplus))),
                    ("累计兑付比例（兑付水平）", share(r.level, 2)),
                ],
                method: method(rule),
                basis,
                reserved: fen(r.reserved),
                minimum: rule.min_payment.map(|min| (fen(min), fen(r.carried))),
            })
        })
        .collect();
    Ok(Markup::of(&Notices { date, notices })?.to_string())
}
