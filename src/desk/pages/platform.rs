//! `/platforms/{id}`: one platform — its class and every rule's value against its threshold,
//! its plan, its claim bands, its payout rounds.

use super::*;

#[derive(Serialize)]
pub struct RoundLine {
    pub round: i64,
    /// The ratio of the claims the round reached, as a percentage ("—" when not recorded).
    pub level: String,
    pub returned: Money,
    pub pool: Money,
    pub paid: Money,
    pub reserved: Money,
    pub carried: Money,
    pub surplus: Money,
    pub lenders: i64,
    pub lenders_paid: i64,
}

pub(super) fn round_line(r: &Round) -> RoundLine {
    RoundLine {
        round: r.round,
        level: r.level.map_or_else(
            || "—".to_string(),
            |l| crate::present::number::share(Some(l), 2),
        ),
        returned: money(r.returned.get()),
        pool: money(r.pool.get()),
        paid: money(r.paid.get()),
        reserved: money(r.reserved.get()),
        carried: money(r.carried.get()),
        surplus: money(r.surplus.get()),
        lenders: r.lenders,
        lenders_paid: r.lenders_paid,
    }
}

#[derive(Serialize)]
pub struct BandLine {
    pub band: String,
    pub label: String,
    pub lenders: i64,
    pub claim: Money,
}

/// A claim band as people say it: 1万–5万.
pub(super) fn band_label(band: &str) -> String {
    match band {
        "band_0_1w" => "1万以下 below 10k".into(),
        "band_1w_5w" => "1万–5万".into(),
        "band_5w_10w" => "5万–10万".into(),
        "band_10w_50w" => "10万–50万".into(),
        "band_50w_100w" => "50万–100万".into(),
        "band_100w_up" => "100万以上 1m and more".into(),
        other => other.into(),
    }
}

/// One classification rule on a platform's page.
#[derive(Serialize)]
pub struct RuleLine {
    pub rule: String,
    pub label: &'static str,
    pub value: String,
    pub threshold: String,
    pub fired: bool,
}

/// A rule's value or threshold as the page shows it: as every document writes it.
pub(super) fn rule_number(rule: &str, v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |v| crate::present::rule::value(rule, v))
}

#[derive(Serialize, Template)]
#[template(
    ext = "html",
    source = r#"<h1>{{ p.platform_id }} {{ p.name }} <small>{{ p.district }}</small></h1>
<p class="class">{{ p.class_zh }} {{ p.class }}{% if !p.subclass.is_empty() %} / {{ p.subclass }}{% endif %}{% if p.at_risk %} · <strong>无法按期完成 at risk</strong>{% endif %}</p>
<p>{{ p.reason_zh }}<br><span class="en">{{ p.reason_en }}</span></p>
{% if !rules.is_empty() %}<h2>分类依据 Every rule against its threshold</h2>
<table><tr><th>规则 rule</th><th>数值 value</th><th>阈值 threshold</th><th>触发 fired</th></tr>
{% for r in rules %}<tr{% if r.fired %} class="risk"{% endif %}><td>{{ r.label }} <span class="en">{{ r.rule }}</span></td><td class="n">{{ r.value }}</td><td class="n">{{ r.threshold }}</td><td>{% if r.fired %}<strong>是 yes</strong>{% else %}否 no{% endif %}</td></tr>
{% endfor %}</table>{% endif %}
<table class="kv"><tr><th>出借余额 lender outstanding</th><td><span title="{{ outstanding.exact }} 元">{{ outstanding.short }}</span></td></tr>
<tr><th>在贷出借人 current lenders</th><td>{{ p.lenders_current }}</td></tr>
<tr><th>借款余额 loan outstanding</th><td><span title="{{ loans.exact }} 元">{{ loans.short }}</span></td></tr>
<tr><th>预计回收 expected recovery</th><td><span title="{{ recovery.exact }} 元">{{ recovery.short }}</span></td></tr>
<tr><th>债权总额 total claim</th><td><span title="{{ claim.exact }} 元">{{ claim.short }}</span> ({{ p.claim_lenders }} 名出借人 lenders)</td></tr></table>
<h2>出借人按债权规模 Lenders by claim size</h2>
<table><tr><th>规模 band</th><th>出借人 lenders</th><th>债权 claims (元)</th></tr>
{% for b in bands %}<tr><td>{{ b.label }}</td><td class="n">{% if b.lenders > 0 %}<a href="/platforms/{{ p.platform_id|urlencode_strict }}/lenders?band={{ b.band }}">{{ b.lenders }}</a>{% else %}0{% endif %}</td><td class="n">{{ b.claim.exact }}</td></tr>
{% endfor %}</table>
<h2>一企一策 The plan</h2>
<p>{{ p.action_zh }} · 阶段 stage {{ p.stage }}: {{ p.start_on }} → {{ p.complete_by }}{% if p.at_risk %}<br><strong>{{ p.at_risk_reason_zh }}</strong>{% endif %}</p>
<p>责任单位 responsible units: {% for u in p.responsible_units %}{% if !loop.first %}、{% endif %}{{ u }}{% endfor %}</p>
<ol class="steps">{% for s in p.steps %}<li><time>{{ s.2 }}</time> {{ s.0 }} <span class="en">{{ s.1 }}</span></li>{% endfor %}</ol>
<h2>兑付轮次 Payout rounds</h2>
{% if rounds.is_empty() %}<p>尚无兑付 no payout round yet.</p>{% else %}<table><tr><th>轮次 round</th><th>兑付比例 ratio</th><th>可分配 pool</th><th>兑付 paid</th><th>提存 reserved</th><th>结转 carried</th><th>退汇 returned</th><th>结余 surplus</th><th>出借人 lenders (paid)</th></tr>
{% for r in rounds %}<tr><td class="n">{{ r.round }}</td><td class="n">{{ r.level }}</td><td class="n" title="{{ r.pool.exact }} 元">{{ r.pool.short }}</td><td class="n" title="{{ r.paid.exact }} 元">{{ r.paid.short }}</td><td class="n" title="{{ r.reserved.exact }} 元">{{ r.reserved.short }}</td><td class="n" title="{{ r.carried.exact }} 元">{{ r.carried.short }}</td><td class="n" title="{{ r.returned.exact }} 元">{{ r.returned.short }}</td><td class="n" title="{{ r.surplus.exact }} 元">{{ r.surplus.short }}</td><td class="n">{{ r.lenders }} ({{ r.lenders_paid }})</td></tr>
{% endfor %}</table>{% endif %}"#
)]
pub struct PlatformPage {
    pub p: Platform,
    /// The classification's rules as the page shows them (`p.reasons` has the numbers).
    pub rules: Vec<RuleLine>,
    pub bands: Vec<BandLine>,
    pub outstanding: Money,
    pub loans: Money,
    pub recovery: Money,
    pub claim: Money,
    pub rounds: Vec<RoundLine>,
}

pub async fn platform(
    State(desk): State<Arc<Desk>>,
    Path(id): Path<String>,
    Query(f): Query<Format>,
) -> Response {
    let Some(p) = desk.run.platform(&id) else {
        return not_found().await;
    };
    let page = PlatformPage {
        rules: p
            .reasons
            .iter()
            .map(|r| RuleLine {
                label: crate::present::rule::zh(&r.rule),
                value: rule_number(&r.rule, r.value),
                threshold: rule_number(&r.rule, r.threshold),
                fired: r.fired,
                rule: r.rule.clone(),
            })
            .collect(),
        bands: p
            .bands
            .iter()
            .map(|(band, lenders, claim)| BandLine {
                label: band_label(band),
                band: band.clone(),
                lenders: *lenders,
                claim: money(*claim),
            })
            .collect(),
        outstanding: money(p.lender_outstanding),
        loans: money(p.loan_outstanding),
        recovery: money(p.expected_recovery),
        claim: money(p.total_claim),
        rounds: desk
            .run
            .rounds
            .iter()
            .filter(|r| r.platform_id == p.platform_id)
            .map(round_line)
            .collect(),
        p: p.clone(),
    };
    answer(
        &page,
        &format!("{} {}", p.platform_id, p.name),
        f.format.as_deref(),
    )
}
