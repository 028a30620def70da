//! The files of `winddown compare` (rule_compare.parquet, rule_lenders.parquet, compare.html:
//! the payout ratio by claim size under each rule) and `winddown vote` (vote_platforms.parquet,
//! vote_lenders.parquet, vote.md).

use std::fmt::Write;

use crate::domain::code::PlatformCode;
use crate::domain::exports as shared;
use crate::domain::money::grouped;
use crate::domain::text::markdown_cell;
use crate::error::Result;
use crate::input::data::InputData;
use crate::output::tables::column::{self, Column, Rows};
use crate::output::tables::exports::LenderNames;
use crate::output::Staging;
use crate::payout::compare::{LenderAward, RuleSummary};
use crate::payout::vote::Outcome;
use crate::present::lang::{bi, short, slash};
use crate::present::number::{fen_diff, persons, persons_margin};
use crate::rules::exposure::BANDS;

/// rule_compare.parquet and rule_lenders.parquet.
pub fn write_compare(
    staging: &Staging,
    data: &InputData,
    summaries: &[RuleSummary],
    awards: &[LenderAward],
    names: &LenderNames,
) -> Result<()> {
    let id = |c: PlatformCode| Some(data.platforms.ids[c].as_str());
    // Sorted by their keys, (platform_id, rule), in byte order.
    let mut sorted: Vec<&RuleSummary> = summaries.iter().collect();
    sorted.sort_by(|a, b| {
        (id(a.platform), a.rule.as_bytes()).cmp(&(id(b.platform), b.rule.as_bytes()))
    });
    let s = |i: usize| sorted[i];
    {
        use crate::domain::exports::rule_compare as f;
        let columns = [
            Column::text(&shared::PLATFORM_ID, move |i| id(s(i).platform)),
            Column::text(&f::RULE, move |i| Some(s(i).rule.as_str())),
            Column::money(&f::ESTATE, move |i| Some(s(i).estate)),
            Column::int(&f::LENDERS, move |i| Some(s(i).lenders)),
            Column::int(&f::PAID_IN_FULL, move |i| Some(s(i).paid_in_full)),
            Column::ratio(&f::MIN_RATIO, move |i| s(i).min_ratio),
            Column::ratio(&f::MEDIAN_RATIO, move |i| s(i).median_ratio),
            Column::ratio(&f::MAX_RATIO, move |i| s(i).max_ratio),
            Column::ratio(&f::GINI_OF_LOSSES, move |i| s(i).gini_of_losses),
            Column::money(&f::LARGEST_GAIN, move |i| Some(s(i).largest_gain)),
            Column::money(&f::LARGEST_LOSS, move |i| Some(s(i).largest_loss)),
        ];
        column::write(staging, &f::EXPORT, &columns, Rows::InOrder(sorted.len()))?;
    }
    // Per lender: sorted by platform, lender, rule.
    let mut order: Vec<usize> = (0..awards.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&awards[a], &awards[b]);
        data.platforms.ids[x.platform]
            .as_bytes()
            .cmp(data.platforms.ids[y.platform].as_bytes())
            .then(names.rank(x.lender).cmp(&names.rank(y.lender)))
            .then(x.rule.as_bytes().cmp(y.rule.as_bytes()))
    });
    use crate::domain::exports::rule_lenders as f;
    let a = |i: usize| &awards[i];
    let columns = [
        Column::text(&shared::PLATFORM_ID, move |i| id(a(i).platform)),
        Column::text(&shared::LENDER_ID, move |i| Some(names.name(a(i).lender))),
        Column::text(&f::RULE, move |i| Some(a(i).rule.as_str())),
        Column::money(&shared::CLAIM, move |i| Some(a(i).claim)),
        Column::money(&f::AWARD, move |i| Some(a(i).award)),
        Column::ratio(&f::PAYOUT_RATIO, move |i| {
            Some(a(i).award as f64 / a(i).claim as f64)
        }),
    ];
    column::write(staging, &f::EXPORT, &columns, Rows::Order(&order))
}

/// The claim size bands as the documents label them.
pub const BAND_LABELS: [&str; 6] = ["<1万", "1–5万", "5–10万", "10–50万", "50–100万", "≥100万"];

/// Per rule, the payout ratio per claim size band, all platforms together: Σ awards / Σ claims
/// of the lenders whose claim falls in the band; None where none does.
pub fn ratio_by_band(rules: &[String], awards: &[LenderAward]) -> Vec<[Option<f64>; 6]> {
    // (awarded, claimed) per rule × band.
    let mut sums = vec![[(0i128, 0i128); 6]; rules.len()];
    for a in awards {
        let Some(r) = rules.iter().position(|x| *x == a.rule) else {
            continue;
        };
        let b = BANDS.iter().rposition(|x| a.claim >= x.lower).unwrap_or(0);
        sums[r][b].0 += i128::from(a.award);
        sums[r][b].1 += i128::from(a.claim);
    }
    sums.iter()
        .map(|row| row.map(|(a, c)| (c != 0).then(|| a as f64 / c as f64)))
        .collect()
}

/// compare.html: the payout ratio by claim size under each rule (all platforms together: Σ
/// awards / Σ claims per band), as a chart and a table. Self-contained, no scripts; rendered
/// by a compile-time template that escapes every value.
pub fn compare_html(rules: &[String], awards: &[LenderAward]) -> Result<String> {
    use crate::output::documents::chart::{self, Markup, Scale, Series};
    use crate::present::palette;
    let ratios = ratio_by_band(rules, awards);
    let series: Vec<Series> = rules
        .iter()
        .enumerate()
        .map(|(r, rule)| Series {
            name: rule.clone(),
            color: palette::series(r),
            values: ratios[r].iter().map(|b| b.map(|v| v * 100.0)).collect(),
        })
        .collect();
    let chart = chart::lines(
        &slash(
            "各规则下按债权规模的兑付比例",
            "payout ratio by claim size, per rule",
        ),
        &bi("兑付比例 (%)", "ratio (%)"),
        &BAND_LABELS.map(String::from),
        &series,
        Scale::Percent,
    )?;

    #[derive(askama::Template)]
    #[template(
        ext = "html",
        source = r#"<!DOCTYPE html><html lang="{{ html_lang }}"><head><meta charset="utf-8"><title>{{ title }}</title><style>body{font-family:"Noto Sans CJK SC",sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid rgb(204,204,204);padding:4px 8px;text-align:right;font-variant-numeric:tabular-nums}th:first-child,td:first-child{text-align:left}.sw{display:inline-block;width:14px;height:4px;margin-right:6px;vertical-align:middle}svg{max-width:100%;height:auto}</style></head><body>
<h1>{{ title }}</h1>
<p>{{ intro }}</p>
{{ chart|safe }}
<table><tr><th>{{ rule_head }}</th>{% for b in bands %}<th>{{ b }}</th>{% endfor %}</tr>
{% for r in rows %}<tr><td><span class="sw" style="background:{{ r.color }}"></span>{{ r.rule }}</td>{% for c in r.cells %}<td>{{ c }}</td>{% endfor %}</tr>
{% endfor %}</table></body></html>
"#
    )]
    struct Page {
        html_lang: &'static str,
        title: String,
        intro: String,
        rule_head: String,
        chart: Markup,
        bands: [&'static str; 6],
        rows: Vec<Row>,
    }
    struct Row {
        rule: String,
        color: String,
        cells: Vec<String>,
    }
    let rows = rules
        .iter()
        .enumerate()
        .map(|(r, rule)| Row {
            rule: rule.clone(),
            color: palette::series(r).css(),
            cells: ratios[r]
                .iter()
                .map(|b| crate::present::number::share(*b, 1))
                .collect(),
        })
        .collect();
    Ok(Markup::of(&Page {
        html_lang: crate::present::Lang::current().html(),
        title: bi("分配规则比较", "Division rules compared"),
        intro: bi(
            "每个平台的全部回收款视为一笔财产，按各规则在相同出借人之间分配（精确到分）。",
            "Each platform's recoveries, all rounds as one estate, divided among the same lenders by each rule, exact to the fen.",
        ),
        rule_head: bi("规则", "rule"),
        chart,
        bands: BAND_LABELS,
        rows,
    })?
    .to_string())
}

/// One platform's vote: its id and outcome.
pub struct PlatformVote<'a> {
    pub platform: PlatformCode,
    pub outcome: &'a Outcome,
}

/// vote_platforms.parquet, vote_lenders.parquet and vote.md.
pub fn write_vote(
    staging: &Staging,
    data: &InputData,
    scheme_name: &str,
    votes: &[PlatformVote],
    skipped: &[(PlatformCode, &str)],
    names: &LenderNames,
) -> Result<()> {
    let id = |c: PlatformCode| data.platforms.ids[c].as_str();
    let mut rows: Vec<(&PlatformVote, &crate::payout::vote::Verdict)> = votes
        .iter()
        .flat_map(|v| v.outcome.verdicts.iter().map(move |d| (v, d)))
        .collect();
    rows.sort_by(|a, b| (id(a.0.platform), a.1.rule).cmp(&(id(b.0.platform), b.1.rule)));
    let swing: Vec<Vec<String>> = rows
        .iter()
        .map(|(_, d)| d.swing.iter().map(|c| names.name(*c).to_string()).collect())
        .collect();
    let (v, d) = (|i: usize| rows[i].0, |i: usize| rows[i].1);
    {
        use crate::domain::exports::vote_platforms as f;
        let swing = &swing;
        let columns = [
            Column::text(&shared::PLATFORM_ID, move |i| Some(id(v(i).platform))),
            Column::text(&f::SCHEME, move |_| Some(scheme_name)),
            Column::text(&f::VOTING_RULE, move |i| Some(d(i).rule)),
            Column::bool(&f::PASSED, move |i| Some(d(i).passed)),
            Column::money(&f::BUDGET, move |i| Some(v(i).outcome.budget)),
            Column::ratio(&f::VOTERS, move |i| Some(d(i).voters)),
            Column::ratio(&f::YES_VOTERS, move |i| Some(d(i).yes_voters)),
            // Claims as yuan in these float columns: they are expected values under turnout.
            Column::ratio(&f::VOTER_CLAIMS, move |i| Some(d(i).voter_claims / 100.0)),
            Column::ratio(&f::YES_CLAIMS, move |i| Some(d(i).yes_claims / 100.0)),
            Column::ratio(&f::COUNT_MARGIN, move |i| Some(d(i).count_margin)),
            Column::ratio(&f::AMOUNT_MARGIN, move |i| Some(d(i).amount_margin / 100.0)),
            Column::text_list(&f::SWING_LENDERS, move |i| swing[i].as_slice()),
            Column::money(&f::EXTRA_PAYMENT, move |i| d(i).extra_payment),
            Column::bool(&f::BEST_INTEREST, move |i| Some(v(i).outcome.best_interest)),
            Column::int(&f::BELOW_ALTERNATIVE, move |i| {
                Some(v(i).outcome.below_alternative)
            }),
        ];
        column::write(staging, &f::EXPORT, &columns, Rows::InOrder(rows.len()))?;
    }

    let ballots: Vec<(PlatformCode, &crate::payout::vote::Ballot)> = votes
        .iter()
        .flat_map(|v| v.outcome.ballots.iter().map(move |b| (v.platform, b)))
        .collect();
    let mut order: Vec<usize> = (0..ballots.len()).collect();
    order.sort_by_key(|&i| (id(ballots[i].0), names.rank(ballots[i].1.code)));
    {
        use crate::domain::exports::vote_lenders as f;
        let b = |i: usize| ballots[i];
        let columns = [
            Column::text(&shared::PLATFORM_ID, move |i| Some(id(b(i).0))),
            Column::text(&shared::LENDER_ID, move |i| Some(names.name(b(i).1.code))),
            Column::money(&shared::CLAIM, move |i| Some(b(i).1.claim)),
            Column::money(&f::AWARD, move |i| Some(b(i).1.award)),
            Column::ratio(&f::VALUE_RATIO, move |i| Some(b(i).1.value_ratio)),
            Column::ratio(&f::ALTERNATIVE_RATIO, move |i| {
                Some(b(i).1.alternative_ratio)
            }),
            Column::text(&f::VOTE, move |i| {
                Some(if b(i).1.yes { "yes" } else { "no" })
            }),
            Column::ratio(&f::TURNOUT, move |i| Some(b(i).1.weight)),
            Column::money(&f::SHORTFALL, move |i| Some(b(i).1.shortfall)),
        ];
        column::write(staging, &f::EXPORT, &columns, Rows::Order(&order))?;
    }

    let mut md = String::new();
    let _ = writeln!(
        md,
        "# {}\n",
        slash("出借人表决预测", "Predicted lenders' vote")
    );
    let _ = writeln!(
        md,
        "{}: `{}`\n",
        bi("方案", "scheme"),
        markdown_cell(scheme_name)
    );
    let _ = writeln!(md, "{}\n", bi("人数为预计投票的出借人数：按出席率（turnout）加权时为期望值，可带小数；人数差额为赞成人数减去通过所需人数（所需为过半数或三分之二时，人数为奇数可得 .5）；金额差额同理按债权计。", "Voters are the expected number voting: under a turnout model an expectation, so it may have a decimal; the count margin is yes voters less the number needed to pass (half of an odd count ends in .5); the amount margin likewise in claims."));
    let y = short("元", "yuan");
    let _ = writeln!(
        md,
        "| {} | {} | {} | {} | {} ({y}) | {} | {} ({y}) | {} ({y}) |",
        bi("平台", "platform"),
        bi("规则", "rule"),
        bi("结果", "result"),
        bi("赞成人数 / 投票人数", "yes / voters"),
        bi("赞成债权", "yes claims"),
        bi("人数差额", "count margin"),
        bi("金额差额", "amount margin"),
        bi("需追加", "extra payment")
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|---|---|");
    let (passes, fails) = (bi("通过", "passes"), bi("未通过", "fails"));
    for (v, d) in &rows {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} / {} | {} | {} | {} | {} |",
            markdown_cell(id(v.platform)),
            d.rule,
            if d.passed { &passes } else { &fails },
            persons(d.yes_voters),
            persons(d.voters),
            grouped(d.yes_claims.round() as i128),
            persons_margin(d.count_margin),
            fen_diff(d.amount_margin.round() as i128),
            d.extra_payment
                .map_or("–".to_string(), |x| grouped(i128::from(x))),
        );
    }
    if !skipped.is_empty() {
        let _ = writeln!(
            md,
            "\n## {}\n\n| {} | {} |\n|---|---|",
            slash("未表决的平台", "Platforms not voted"),
            bi("平台", "platform"),
            bi("原因", "reason")
        );
        let mut skipped: Vec<&(PlatformCode, &str)> = skipped.iter().collect();
        skipped.sort_by_key(|(c, _)| id(*c));
        for (c, why) in skipped {
            let _ = writeln!(md, "| {} | {why} |", markdown_cell(id(*c)));
        }
    }
    staging.write("vote.md", md.as_bytes())
}
