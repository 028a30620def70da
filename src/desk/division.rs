//! The results of `winddown compare` (the division rules side by side) and `winddown vote`
//! (the scheme's predicted vote) at the desk: rule_compare.parquet and vote_platforms.parquet,
//! one line per platform × rule, read once at start from the folders given (`--compare`,
//! `--vote`) or from the run folder when it holds them; the pages `/compare` and `/vote` (a
//! summary per rule, then every line, `?platform=` for one platform), each with its JSON twin.

use std::path::Path;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::download::{respond, Table, Value};
use super::pages::{answer, money, Money};
use super::Desk;
use crate::error::Result;
use crate::table::export_file::ExportFile;

/// One platform under one division rule (rule_compare.parquet).
#[derive(Debug, Clone, Serialize)]
pub struct CompareLine {
    pub platform_id: String,
    pub rule: String,
    /// Fen.
    pub estate: i64,
    pub lenders: i64,
    pub paid_in_full: i64,
    pub min_ratio: Option<f64>,
    pub median_ratio: Option<f64>,
    pub max_ratio: Option<f64>,
    pub gini_of_losses: Option<f64>,
    /// Fen: the most one lender gains, and loses, against pro rata.
    pub largest_gain: i64,
    pub largest_loss: i64,
}

/// One platform's predicted vote under one voting rule (vote_platforms.parquet).
#[derive(Debug, Clone, Serialize)]
pub struct VoteLine {
    pub platform_id: String,
    pub scheme: String,
    pub voting_rule: String,
    pub passed: bool,
    /// Fen.
    pub budget: i64,
    pub voters: f64,
    pub yes_voters: f64,
    pub count_margin: f64,
    /// Yuan (an expected value under turnout).
    pub amount_margin: f64,
    /// Fen: what would make it pass, where something can.
    pub extra_payment: Option<i64>,
    pub best_interest: bool,
    pub below_alternative: i64,
}

/// rule_compare.parquet of `dir`, or nothing when it has none.
pub fn compare(dir: &Path) -> Result<Vec<CompareLine>> {
    use crate::domain::exports::{rule_compare as f, PLATFORM_ID};
    let path = dir.join(f::EXPORT.file);
    if !path.is_file() {
        return Ok(Vec::new());
    }
    let t = ExportFile::read(&path, &f::EXPORT.columns.iter().collect::<Vec<_>>())?;
    let (ids, rule) = (t.text(&PLATFORM_ID)?, t.text(&f::RULE)?);
    let (estate, gain, loss) = (
        t.money(&f::ESTATE)?,
        t.money(&f::LARGEST_GAIN)?,
        t.money(&f::LARGEST_LOSS)?,
    );
    let (lenders, full) = (t.int(&f::LENDERS)?, t.int(&f::PAID_IN_FULL)?);
    let (min, median, max, gini) = (
        t.opt_ratio(&f::MIN_RATIO)?,
        t.opt_ratio(&f::MEDIAN_RATIO)?,
        t.opt_ratio(&f::MAX_RATIO)?,
        t.opt_ratio(&f::GINI_OF_LOSSES)?,
    );
    Ok((0..t.rows())
        .map(|i| CompareLine {
            platform_id: ids[i].clone(),
            rule: rule[i].clone(),
            estate: estate[i],
            lenders: lenders[i],
            paid_in_full: full[i],
            min_ratio: min[i],
            median_ratio: median[i],
            max_ratio: max[i],
            gini_of_losses: gini[i],
            largest_gain: gain[i],
            largest_loss: loss[i],
        })
        .collect())
}

/// vote_platforms.parquet of `dir`, or nothing when it has none.
pub fn votes(dir: &Path) -> Result<Vec<VoteLine>> {
    use crate::domain::exports::{vote_platforms as f, PLATFORM_ID};
    let path = dir.join(f::EXPORT.file);
    if !path.is_file() {
        return Ok(Vec::new());
    }
    let t = ExportFile::read(&path, &f::EXPORT.columns.iter().collect::<Vec<_>>())?;
    let (ids, scheme, rule) = (
        t.text(&PLATFORM_ID)?,
        t.text(&f::SCHEME)?,
        t.text(&f::VOTING_RULE)?,
    );
    let (passed, best) = (t.opt_bool(&f::PASSED)?, t.opt_bool(&f::BEST_INTEREST)?);
    let (budget, extra) = (t.money(&f::BUDGET)?, t.opt_money(&f::EXTRA_PAYMENT)?);
    let ratio = |field: &'static crate::domain::exports::Field| -> Result<Vec<f64>> {
        Ok(t.opt_ratio(field)?
            .into_iter()
            .map(|v| v.unwrap_or(0.0))
            .collect())
    };
    let (voters, yes, count, amount) = (
        ratio(&f::VOTERS)?,
        ratio(&f::YES_VOTERS)?,
        ratio(&f::COUNT_MARGIN)?,
        ratio(&f::AMOUNT_MARGIN)?,
    );
    let below = t.int(&f::BELOW_ALTERNATIVE)?;
    Ok((0..t.rows())
        .map(|i| VoteLine {
            platform_id: ids[i].clone(),
            scheme: scheme[i].clone(),
            voting_rule: rule[i].clone(),
            passed: passed[i] == Some(true),
            budget: budget[i],
            voters: voters[i],
            yes_voters: yes[i],
            count_margin: count[i],
            amount_margin: amount[i],
            extra_payment: extra[i],
            best_interest: best[i] == Some(true),
            below_alternative: below[i],
        })
        .collect())
}

/// `?platform=ID&format=json`.
#[derive(Debug, Default, Deserialize)]
pub struct ResultsQuery {
    pub platform: Option<String>,
    pub format: Option<String>,
}

/// A percentage with one decimal, or "—" for none.
fn pct(v: Option<f64>) -> String {
    crate::present::number::share(v, 1)
}

// ---------------------------------------------------------------- compare

/// One rule across the platforms shown.
#[derive(Serialize)]
pub struct RuleTotal {
    pub rule: String,
    pub platforms: usize,
    pub lenders: i64,
    pub paid_in_full: i64,
    pub estate: Money,
    /// The most one lender gains, and loses, against pro rata, on any platform.
    pub largest_gain: Money,
    pub largest_loss: Money,
}

#[derive(Serialize)]
pub struct CompareRow {
    pub platform_id: String,
    pub rule: String,
    pub estate: Money,
    pub lenders: i64,
    pub paid_in_full: i64,
    pub min_ratio: String,
    pub median_ratio: String,
    pub max_ratio: String,
    pub gini_of_losses: Option<f64>,
    pub largest_gain: Money,
    pub largest_loss: Money,
}

#[derive(Serialize, Template)]
#[template(
    ext = "html",
    source = r#"<h1>分配规则比较 Division rules compared{% if let Some(p) = platform %} <small>平台 platform {{ p }}</small>{% endif %}</h1>
{% if rows.is_empty() %}<p class="empty">没有比较结果 No comparison here: run <code>winddown compare DATA --out COMPARE_OUT</code> and start the desk with <code>--compare COMPARE_OUT</code>.</p>{% else %}
<table><tr><th>规则 rule</th><th>平台 platforms</th><th>出借人 lenders</th><th>全额受偿 paid in full</th><th>可分配财产 estate</th><th>单人最多多得 largest gain</th><th>单人最多少得 largest loss</th></tr>
{% for r in totals %}<tr><td>{{ r.rule }}</td><td class="n">{{ r.platforms }}</td><td class="n">{{ r.lenders }}</td><td class="n">{{ r.paid_in_full }}</td><td class="n" title="{{ r.estate.exact }} 元">{{ r.estate.short }}</td><td class="n" title="{{ r.largest_gain.exact }} 元">{{ r.largest_gain.short }}</td><td class="n" title="{{ r.largest_loss.exact }} 元">{{ r.largest_loss.short }}</td></tr>
{% endfor %}</table>
<h2>逐平台 Platform by platform <small>{{ rows.len() }}</small> <a class="dl" href="/compare?format=json{% if let Some(p) = platform %}&amp;platform={{ p|urlencode_strict }}{% endif %}">JSON</a> <a class="dl" href="/compare?format=csv{% if let Some(p) = platform %}&amp;platform={{ p|urlencode_strict }}{% endif %}">CSV</a> <a class="dl" href="/compare?format=xlsx{% if let Some(p) = platform %}&amp;platform={{ p|urlencode_strict }}{% endif %}">Excel</a></h2>
<table><tr><th>平台 platform</th><th>规则 rule</th><th>出借人 lenders</th><th>全额受偿 paid in full</th><th>最低 min</th><th>中位 median</th><th>最高 max</th><th>损失基尼 Gini</th><th>最多多得 gain</th><th>最多少得 loss</th></tr>
{% for r in rows %}<tr><td><a href="/platforms/{{ r.platform_id|urlencode_strict }}">{{ r.platform_id }}</a></td><td>{{ r.rule }}</td><td class="n">{{ r.lenders }}</td><td class="n">{{ r.paid_in_full }}</td><td class="n">{{ r.min_ratio }}</td><td class="n">{{ r.median_ratio }}</td><td class="n">{{ r.max_ratio }}</td><td class="n">{% if let Some(g) = r.gini_of_losses %}{{ "{:.3}"|format(g) }}{% else %}—{% endif %}</td><td class="n" title="{{ r.largest_gain.exact }} 元">{{ r.largest_gain.short }}</td><td class="n" title="{{ r.largest_loss.exact }} 元">{{ r.largest_loss.short }}</td></tr>
{% endfor %}</table>{% endif %}"#
)]
pub struct ComparePage {
    pub platform: Option<String>,
    pub totals: Vec<RuleTotal>,
    pub rows: Vec<CompareRow>,
}

pub async fn compare_page(
    State(desk): State<Arc<Desk>>,
    Query(q): Query<ResultsQuery>,
) -> Response {
    let platform = q.platform.filter(|p| !p.is_empty());
    let lines: Vec<&CompareLine> = desk
        .compare
        .iter()
        .filter(|l| platform.as_ref().is_none_or(|p| *p == l.platform_id))
        .collect();
    let ratio = |v: Option<f64>| v.map_or(Value::Empty, Value::Float);
    let table = Table {
        stem: "rule_compare",
        sheet: "规则比较 compare",
        headers: super::download::headers(&[
            "平台 platform_id",
            "规则 rule",
            "可分配财产(元) estate",
            "出借人 lenders",
            "全额受偿 paid_in_full",
            "最低比例 min_ratio",
            "中位比例 median_ratio",
            "最高比例 max_ratio",
            "损失基尼 gini_of_losses",
            "最多多得(元) largest_gain",
            "最多少得(元) largest_loss",
        ]),
        rows: lines
            .iter()
            .map(|l| {
                vec![
                    Value::Text(l.platform_id.clone()),
                    Value::Text(l.rule.clone()),
                    Value::Money(l.estate),
                    Value::Int(l.lenders),
                    Value::Int(l.paid_in_full),
                    ratio(l.min_ratio),
                    ratio(l.median_ratio),
                    ratio(l.max_ratio),
                    ratio(l.gini_of_losses),
                    Value::Money(l.largest_gain),
                    Value::Money(l.largest_loss),
                ]
            })
            .collect(),
    };
    if let Some(r) = respond(&table, q.format.as_deref()) {
        return r;
    }
    // Rules in the order the file first names them.
    let mut totals: Vec<(String, Vec<&CompareLine>)> = Vec::new();
    for l in &lines {
        match totals.iter_mut().find(|(r, _)| *r == l.rule) {
            Some((_, v)) => v.push(l),
            None => totals.push((l.rule.clone(), vec![l])),
        }
    }
    let page = ComparePage {
        totals: totals
            .into_iter()
            .map(|(rule, v)| RuleTotal {
                rule,
                platforms: v.len(),
                lenders: v.iter().map(|l| l.lenders).sum(),
                paid_in_full: v.iter().map(|l| l.paid_in_full).sum(),
                estate: money(v.iter().map(|l| l.estate).sum()),
                largest_gain: money(v.iter().map(|l| l.largest_gain).max().unwrap_or(0)),
                largest_loss: money(v.iter().map(|l| l.largest_loss).max().unwrap_or(0)),
            })
            .collect(),
        rows: lines
            .iter()
            .map(|l| CompareRow {
                platform_id: l.platform_id.clone(),
                rule: l.rule.clone(),
                estate: money(l.estate),
                lenders: l.lenders,
                paid_in_full: l.paid_in_full,
                min_ratio: pct(l.min_ratio),
                median_ratio: pct(l.median_ratio),
                max_ratio: pct(l.max_ratio),
                gini_of_losses: l.gini_of_losses,
                largest_gain: money(l.largest_gain),
                largest_loss: money(l.largest_loss),
            })
            .collect(),
        platform,
    };
    answer(&page, "规则比较 Compare", q.format.as_deref())
}

// ---------------------------------------------------------------- vote

/// One voting rule across the platforms shown.
#[derive(Serialize)]
pub struct VotingTotal {
    pub voting_rule: String,
    pub platforms: usize,
    pub passed: usize,
    /// Σ of the extra payments that would make the failing ones pass (where one can).
    pub extra_payment: Money,
}

#[derive(Serialize)]
pub struct VoteRow {
    pub platform_id: String,
    pub voting_rule: String,
    pub passed: bool,
    pub budget: Money,
    pub voters: String,
    pub yes_voters: String,
    pub count_margin: String,
    /// An expected value under turnout (yuan, a float in the file), shown to the fen.
    pub amount_margin: Money,
    pub extra_payment: Option<Money>,
    pub best_interest: bool,
    pub below_alternative: i64,
}

#[derive(Serialize, Template)]
#[template(
    ext = "html",
    source = r#"<h1>表决预测 Predicted vote{% if let Some(s) = scheme %} <small>方案 scheme {{ s }}</small>{% endif %}{% if let Some(p) = platform %} <small>平台 platform {{ p }}</small>{% endif %}</h1>
{% if rows.is_empty() %}<p class="empty">没有表决预测 No vote here: run <code>winddown vote DATA --scheme … --out VOTE_OUT</code> and start the desk with <code>--vote VOTE_OUT</code>.</p>{% else %}
<table><tr><th>表决规则 voting rule</th><th>平台 platforms</th><th>通过 passed</th><th>使其通过需追加 extra to pass</th></tr>
{% for t in totals %}<tr><td>{{ t.voting_rule }}</td><td class="n">{{ t.platforms }}</td><td class="n">{{ t.passed }}</td><td class="n" title="{{ t.extra_payment.exact }} 元">{{ t.extra_payment.short }}</td></tr>
{% endfor %}</table>
<h2>逐平台 Platform by platform <small>{{ rows.len() }}</small> <a class="dl" href="/vote?format=json{% if let Some(p) = platform %}&amp;platform={{ p|urlencode_strict }}{% endif %}">JSON</a> <a class="dl" href="/vote?format=csv{% if let Some(p) = platform %}&amp;platform={{ p|urlencode_strict }}{% endif %}">CSV</a> <a class="dl" href="/vote?format=xlsx{% if let Some(p) = platform %}&amp;platform={{ p|urlencode_strict }}{% endif %}">Excel</a></h2>
<table><tr><th>平台 platform</th><th>表决规则 voting rule</th><th>结果 result</th><th>预算 budget</th><th>参会 voters</th><th>赞成 yes</th><th>人数差额 count margin</th><th>金额差额 amount margin</th><th>需追加 extra</th><th>不低于清算 best interest</th></tr>
{% for r in rows %}<tr><td><a href="/platforms/{{ r.platform_id|urlencode_strict }}">{{ r.platform_id }}</a></td><td>{{ r.voting_rule }}</td><td>{% if r.passed %}通过 passed{% else %}<strong>未通过 fails</strong>{% endif %}</td><td class="n" title="{{ r.budget.exact }} 元">{{ r.budget.short }}</td><td class="n">{{ r.voters }}</td><td class="n">{{ r.yes_voters }}</td><td class="n">{{ r.count_margin }}</td><td class="n" title="{{ r.amount_margin.exact }} 元">{{ r.amount_margin.short }}</td><td class="n">{% if let Some(e) = r.extra_payment %}<span title="{{ e.exact }} 元">{{ e.short }}</span>{% else %}—{% endif %}</td><td>{% if r.best_interest %}是 yes{% else %}<strong>否 no ({{ r.below_alternative }})</strong>{% endif %}</td></tr>
{% endfor %}</table>{% endif %}"#
)]
pub struct VotePage {
    pub scheme: Option<String>,
    pub platform: Option<String>,
    pub totals: Vec<VotingTotal>,
    pub rows: Vec<VoteRow>,
}

pub async fn vote_page(State(desk): State<Arc<Desk>>, Query(q): Query<ResultsQuery>) -> Response {
    let platform = q.platform.filter(|p| !p.is_empty());
    let lines: Vec<&VoteLine> = desk
        .votes
        .iter()
        .filter(|l| platform.as_ref().is_none_or(|p| *p == l.platform_id))
        .collect();
    let table = Table {
        stem: "vote_platforms",
        sheet: "表决 vote",
        headers: super::download::headers(&[
            "平台 platform_id",
            "方案 scheme",
            "表决规则 voting_rule",
            "通过 passed",
            "预算(元) budget",
            "参会 voters",
            "赞成 yes_voters",
            "人数差额 count_margin",
            "金额差额(元) amount_margin",
            "需追加(元) extra_payment",
            "最佳利益 best_interest",
            "低于替代方案 below_alternative",
        ]),
        rows: lines
            .iter()
            .map(|l| {
                let yes_no = |b: bool| Value::Text(if b { "yes" } else { "no" }.to_string());
                vec![
                    Value::Text(l.platform_id.clone()),
                    Value::Text(l.scheme.clone()),
                    Value::Text(l.voting_rule.clone()),
                    yes_no(l.passed),
                    Value::Money(l.budget),
                    Value::Float(l.voters),
                    Value::Float(l.yes_voters),
                    Value::Float(l.count_margin),
                    Value::Float(l.amount_margin),
                    l.extra_payment.map_or(Value::Empty, Value::Money),
                    yes_no(l.best_interest),
                    Value::Int(l.below_alternative),
                ]
            })
            .collect(),
    };
    if let Some(r) = respond(&table, q.format.as_deref()) {
        return r;
    }
    let mut totals: Vec<VotingTotal> = Vec::new();
    let mut extra: Vec<i64> = Vec::new();
    for l in &lines {
        let k = match totals.iter().position(|t| t.voting_rule == l.voting_rule) {
            Some(k) => k,
            None => {
                totals.push(VotingTotal {
                    voting_rule: l.voting_rule.clone(),
                    platforms: 0,
                    passed: 0,
                    extra_payment: money(0),
                });
                extra.push(0);
                totals.len() - 1
            }
        };
        totals[k].platforms += 1;
        totals[k].passed += usize::from(l.passed);
        if !l.passed {
            extra[k] += l.extra_payment.unwrap_or(0);
        }
    }
    for (t, e) in totals.iter_mut().zip(extra) {
        t.extra_payment = money(e);
    }
    let page = VotePage {
        scheme: lines.first().map(|l| l.scheme.clone()),
        totals,
        rows: lines
            .iter()
            .map(|l| VoteRow {
                platform_id: l.platform_id.clone(),
                voting_rule: l.voting_rule.clone(),
                passed: l.passed,
                budget: money(l.budget),
                voters: format!("{:.1}", l.voters),
                yes_voters: format!("{:.1}", l.yes_voters),
                count_margin: format!("{:+.1}", l.count_margin),
                amount_margin: money((l.amount_margin * 100.0).round() as i64),
                extra_payment: l.extra_payment.map(money),
                best_interest: l.best_interest,
                below_alternative: l.below_alternative,
            })
            .collect(),
        platform,
    };
    answer(&page, "表决预测 Vote", q.format.as_deref())
}
