//! `/`: the overview — platforms and outstanding per class with their bars, the plan's stages
//! with what remains after each, the platforms at risk of missing the deadline.

use super::*;

#[derive(Serialize)]
pub struct ClassLine {
    pub class: String,
    pub class_zh: String,
    pub platforms: u64,
    pub lender_outstanding: String,
    pub lenders_current: i64,
    /// The bar of the chart: the class's outstanding against the largest class's, in pixels
    /// of [`BAR`].
    pub bar: u32,
    /// The class's colour (`crate::present::palette`).
    pub color: String,
}

/// The width of a full bar in the overview's charts (inline SVG, no script).
pub(super) const BAR: u32 = 240;

/// `part` of `whole` as a bar of at most [`BAR`] pixels (a part above zero shows at least 1).
pub(super) fn bar(part: i128, whole: i128) -> u32 {
    if whole <= 0 || part <= 0 {
        return 0;
    }
    ((part * i128::from(BAR) / whole) as u32).clamp(1, BAR)
}

#[derive(Serialize)]
pub struct StageLine {
    pub stage: u32,
    pub ends_on: String,
    pub platforms_remaining: i64,
    pub outstanding_remaining: String,
    pub lenders_remaining: i64,
    /// Bars of what remains against the start: platforms, outstanding, lenders.
    pub bars: (u32, u32, u32),
    /// The config's 三降 targets due at this stage, and whether each is met.
    pub targets: Vec<(String, bool)>,
}

#[derive(Serialize)]
pub struct AtRisk {
    pub platform_id: String,
    pub name: String,
    pub reason_zh: String,
}

#[derive(Serialize, Template)]
#[template(
    ext = "html",
    source = r#"<h1>网贷机构风险处置 总览 <small>Overview · 数据截至 as of {{ as_of }}</small></h1>
<h2>分类 Classes</h2>
<table><tr><th>类别 class</th><th>平台 platforms</th><th>出借余额 outstanding (元)</th><th>在贷出借人 lenders</th><th>出借余额 outstanding</th></tr>
{% for c in classes %}<tr><td><a href="/platforms?class={{ c.class }}">{{ c.class_zh }} {{ c.class }}</a></td><td class="n">{{ c.platforms }}</td><td class="n">{{ c.lender_outstanding }}</td><td class="n">{{ c.lenders_current }}</td><td><svg class="bar" width="240" height="12" role="img" aria-label="{{ c.lender_outstanding }}"><rect width="{{ c.bar }}" height="12" fill="{{ c.color }}"/></svg></td></tr>
{% endfor %}</table>
<h2>三降 by stage</h2>
<table><tr><th>阶段 stage</th><th>截至 ends on</th><th>剩余平台 platforms</th><th>剩余余额 outstanding (元)</th><th>剩余出借人 lenders</th><th>相对起点 against the start: 平台 · 余额 · 出借人</th><th>目标 targets</th></tr>
{% for s in stages %}<tr><td class="n">{{ s.stage }}</td><td>{{ s.ends_on }}</td><td class="n">{{ s.platforms_remaining }}</td><td class="n">{{ s.outstanding_remaining }}</td><td class="n">{{ s.lenders_remaining }}</td><td><svg class="bar" width="240" height="24" role="img" aria-label="remaining against the start"><rect y="0" width="{{ s.bars.0 }}" height="7" fill="{{ measures.0 }}"/><rect y="8" width="{{ s.bars.1 }}" height="7" fill="{{ measures.1 }}"/><rect y="16" width="{{ s.bars.2 }}" height="7" fill="{{ measures.2 }}"/></svg></td><td>{% for t in s.targets %}{% if t.1 %}达成 met{% else %}<strong>未达成 missed</strong>{% endif %}: {{ t.0 }}<br>{% endfor %}</td></tr>
{% endfor %}</table>
{% if let Some(d) = deadline %}<h2>期限 Deadline {{ d }}</h2>
{% if at_risk.is_empty() %}<p>所有平台均可按期完成 every platform can finish by it.</p>{% else %}<p>无法按期完成 cannot finish by it ({{ at_risk.len() }}):</p>
<ul>{% for r in at_risk %}<li><a href="/platforms/{{ r.platform_id|urlencode_strict }}">{{ r.platform_id }} {{ r.name }}</a>: {{ r.reason_zh }}</li>{% endfor %}</ul>{% endif %}{% endif %}"#
)]
pub struct Overview {
    pub as_of: String,
    pub classes: Vec<ClassLine>,
    pub stages: Vec<StageLine>,
    pub deadline: Option<String>,
    pub at_risk: Vec<AtRisk>,
    /// The colours of the 三降 measures' bars (platforms, outstanding, lenders).
    #[serde(skip)]
    pub measures: (String, String, String),
}

pub async fn overview(State(desk): State<Arc<Desk>>, Query(f): Query<Format>) -> Response {
    let s = &desk.run.summary;
    let fen = |y: &str| crate::domain::money::parse_fen(y).unwrap_or(0);
    let mut by_class: Vec<_> = s.by_class.iter().collect();
    by_class.sort_by_key(|c| crate::domain::class::Class::shown_rank(&c.class));
    let largest = by_class
        .iter()
        .map(|c| i128::from(fen(&c.lender_outstanding)))
        .max()
        .unwrap_or(0);
    let start = s.plan.first();
    let start = (
        start.map_or(0, |st| i128::from(st.platforms_remaining)),
        start.map_or(0, |st| i128::from(fen(&st.outstanding_remaining))),
        start.map_or(0, |st| i128::from(st.lenders_remaining)),
    );
    let [m0, m1, m2] = crate::present::palette::MEASURES.map(|c| c.css());
    let page = Overview {
        measures: (m0, m1, m2),
        as_of: s.as_of.clone().unwrap_or_default(),
        classes: by_class
            .into_iter()
            .map(|c| ClassLine {
                class: c.class.clone(),
                class_zh: c.class_zh.clone(),
                platforms: c.platforms,
                lender_outstanding: grouped(i128::from(fen(&c.lender_outstanding))),
                lenders_current: c.lenders_current,
                bar: bar(i128::from(fen(&c.lender_outstanding)), largest),
                color: crate::present::Class::of_code(&c.class)
                    .map_or(crate::present::palette::BAR, crate::present::palette::class)
                    .css(),
            })
            .collect(),
        stages: s
            .plan
            .iter()
            .map(|st| StageLine {
                stage: st.stage,
                ends_on: st.ends_on.clone(),
                platforms_remaining: st.platforms_remaining,
                outstanding_remaining: grouped(i128::from(fen(&st.outstanding_remaining))),
                lenders_remaining: st.lenders_remaining,
                targets: st
                    .targets
                    .iter()
                    .map(|t| (t.target.clone(), t.met))
                    .collect(),
                bars: (
                    bar(i128::from(st.platforms_remaining), start.0),
                    bar(i128::from(fen(&st.outstanding_remaining)), start.1),
                    bar(i128::from(st.lenders_remaining), start.2),
                ),
            })
            .collect(),
        deadline: s.deadline.as_ref().map(|d| d.deadline.clone()),
        at_risk: desk
            .run
            .platforms
            .iter()
            .filter(|p| p.at_risk)
            .map(|p| AtRisk {
                platform_id: p.platform_id.clone(),
                name: p.name.clone(),
                reason_zh: p.at_risk_reason_zh.clone(),
            })
            .collect(),
    };
    answer(&page, "总览 Overview", f.format.as_deref())
}

#[cfg(test)]
mod tests {
    use super::{bar, BAR};

    #[test]
    fn a_bar_is_its_share_of_the_full_width_and_never_hides_a_nonzero_part() {
        assert_eq!(bar(0, 100), 0);
        assert_eq!(bar(100, 100), BAR);
        assert_eq!(bar(50, 100), BAR / 2);
        // 1 of 10,000: rounds to 0 pixels, shown as 1.
        assert_eq!(bar(1, 10_000), 1);
        // Nothing to compare with, or more than the whole (never wider than the chart).
        assert_eq!(bar(5, 0), 0);
        assert_eq!(bar(300, 100), BAR);
    }
}
