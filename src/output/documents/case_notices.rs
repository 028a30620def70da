//! case_notices.html: one printable 清退公告 per case round computed in the run — what was
//! realised, the participants' share of it under the order of claimants, what the round
//! distributes at one uniform ratio, what is held in escrow for those not yet registered and
//! how they are caught up, the payment channels, the date. Chinese, one A4 page each, no
//! personal data; rendered by a compile-time template that escapes every value.

use askama::Template;

use crate::cases::settle::RoundRow;
use crate::config::CaseRules;
use crate::domain::count::grouped as count;
use crate::domain::date::Date;
use crate::domain::money::grouped as yuan;
use crate::error::{Error, Result};
use crate::input::cases::CaseData;

/// One notice, its figures formatted.
struct Notice {
    case_id: String,
    case_name: String,
    round: u32,
    round_on: String,
    recovered: String,
    share: String,
    before: String,
    amount: String,
    losses: String,
    claimants: String,
    ratio: String,
    paid: String,
    released: String,
    held: String,
    escrow: String,
    unregistered: String,
}

#[derive(Template)]
#[template(
    ext = "html",
    source = r#"<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>集资参与人资金清退公告</title>
<style>
body { font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", "SimSun", serif; color: rgb(17,17,17); max-width: 780px; margin: 24px auto; padding: 0 16px; line-height: 1.7; }
section.notice { page-break-after: always; break-after: page; padding-bottom: 24px; border-bottom: 1px dashed rgb(153,153,153); margin-bottom: 24px; }
h1 { text-align: center; font-size: 22px; letter-spacing: 2px; margin-bottom: 4px; }
p.no { text-align: center; color: rgb(68,68,68); margin-top: 0; }
table { border-collapse: collapse; margin: 12px 0; width: 100%; }
th, td { border: 1px solid rgb(85,85,85); padding: 4px 8px; } th { text-align: left; width: 45%; background: rgb(244,244,244); } td { text-align: right; }
p.sign { text-align: right; margin-top: 32px; }
@page { size: A4; margin: 22mm 20mm; }
@media print { body { margin: 0; max-width: none; } section.notice { border: none; } }
</style></head><body>
{% if notices.is_empty() %}<p>本次没有清退轮次。</p>{% endif %}
{% for n in notices %}<section class="notice">
<h1>{{ n.case_name }}<br>集资参与人资金清退公告（第{{ n.round }}轮）</h1>
<p class="no">案件编号 {{ n.case_id }}</p>
<p>根据法释〔2014〕13号第十三条规定的受偿顺序，截至{{ n.round_on }}，本案已变现涉案财产 {{ n.recovered }} 元，其中可用于退赔集资参与人损失的为 {{ n.share }} 元；以前各轮已分配 {{ n.before }} 元，本轮分配 {{ n.amount }} 元。</p>
<table>
<tr><th>核定损失合计（元）</th><td>{{ n.losses }}</td></tr>
<tr><th>清退人数</th><td>{{ n.claimants }}</td></tr>
<tr><th>累计清退比例（统一比例）</th><td>{{ n.ratio }}</td></tr>
<tr><th>本轮支付（元）</th><td>{{ n.paid }}</td></tr>
<tr><th>补发以前各轮提存（元）</th><td>{{ n.released }}</td></tr>
<tr><th>本轮提存（元）</th><td>{{ n.held }}</td></tr>
<tr><th>提存余额（元）</th><td>{{ n.escrow }}</td></tr>
<tr><th>尚未登记人数</th><td>{{ n.unregistered }}</td></tr>
</table>
<p>一、损失金额按投入资金扣除已提现、已获收益及提成奖励后的余额核定（本金折抵），同一人名下线上线下账户合并计算；犯罪数额不作为清退依据。</p>
<p>二、本轮对全部集资参与人按同一比例清退。尚未登记的集资参与人，其应得款项予以提存；登记后先补足以前各轮应得款项，再按本轮比例支付。集资参与人死亡的，自继承证明受理之日起向继承人支付。</p>
<p>三、单笔支付 {{ threshold }} 元以上的以存单方式发放，不足 {{ threshold }} 元的转账支付。</p>
<p>四、被告人不参与清退；员工、业务员领取提成奖励的暂不列入清退，其提成奖励依法追缴；所得超过投入的集资参与人不予清退，超出部分依法追缴。</p>
<p class="sign">{{ date }}</p>
</section>
{% endfor %}</body></html>"#
)]
struct Page {
    notices: Vec<Notice>,
    threshold: String,
    date: String,
}

/// The notices of `rounds` (this run's), in case and round order, dated `date`.
pub fn notices_html(
    data: &CaseData,
    rounds: &[&RoundRow],
    unregistered: &dyn Fn(&str) -> i64,
    settings: CaseRules,
    date: Date,
) -> Result<String> {
    let name_of = |id: &str| {
        data.cases
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.name.clone())
            .unwrap_or_default()
    };
    let mut rounds: Vec<&RoundRow> = rounds.to_vec();
    rounds.sort_by(|a, b| (a.case_id.as_bytes(), a.round).cmp(&(b.case_id.as_bytes(), b.round)));
    let notices = rounds
        .iter()
        .map(|r| Notice {
            case_id: r.case_id.clone(),
            case_name: name_of(&r.case_id),
            round: r.round,
            round_on: zh_date(r.round_on),
            recovered: yuan(r.recovered.into()),
            share: yuan(r.participants_share.into()),
            before: yuan(r.distributed_before.into()),
            amount: yuan(r.amount.into()),
            losses: yuan(r.losses_confirmed.into()),
            claimants: count(r.claimants),
            ratio: crate::present::number::share(r.ratio, 2),
            paid: yuan(r.paid.into()),
            released: yuan(r.released.into()),
            held: yuan(r.held.into()),
            escrow: yuan(r.escrow_outstanding.into()),
            unregistered: count(unregistered(&r.case_id)),
        })
        .collect();
    Page {
        notices,
        threshold: yuan(settings.deposit_certificate_from.into()),
        date: zh_date(date),
    }
    .render()
    .map_err(|e| Error::Internal(format!("case notices: {e}")))
}

/// 2024年6月30日.
pub fn zh_date(d: Date) -> String {
    let (y, m, day) = d.ymd();
    format!("{y}年{m}月{day}日")
}
