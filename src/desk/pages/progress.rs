//! `/progress`: the bulletin between an earlier run and this one — classes, plan, payouts.

use super::*;

#[derive(Serialize)]
pub struct ChangeLine {
    pub key: String,
    pub platforms: (i64, i64),
    pub outstanding: (String, String),
    pub lenders: (i64, i64),
}

/// One 三降 measure now against the earlier plan's projection for this date.
#[derive(Serialize)]
pub struct PlanStanding {
    pub measure: &'static str,
    pub planned: String,
    pub actual: String,
    pub standing_en: &'static str,
    pub standing_zh: &'static str,
}

/// A line of the progress tables: then → now.
pub(super) fn change_line(
    key: String,
    (o, n): &(
        crate::output::documents::bulletin::Totals,
        crate::output::documents::bulletin::Totals,
    ),
) -> ChangeLine {
    ChangeLine {
        key,
        platforms: (o.platforms, n.platforms),
        outstanding: (
            grouped(i128::from(o.outstanding)),
            grouped(i128::from(n.outstanding)),
        ),
        lenders: (o.lenders, n.lenders),
    }
}

#[derive(Serialize, Template)]
#[template(
    ext = "html",
    source = r#"<h1>进展 Progress <small>{{ old_as_of }} → {{ new_as_of }}</small></h1>
{% if !available %}<p>只有一个运行结果 one run only: start the desk with two run folders (<code>winddown serve EARLIER LATER</code>) to compare them.</p>{% else %}
<h2>按类别 By class</h2>
<table><tr><th>类别 class</th><th>平台 platforms then → now</th><th>余额 outstanding (元) then → now</th><th>在贷出借人 lenders then → now</th></tr>
{% for c in by_class %}<tr><td>{{ c.key }}</td><td class="n">{{ c.platforms.0 }} → {{ c.platforms.1 }}</td><td class="n">{{ c.outstanding.0 }} → {{ c.outstanding.1 }}</td><td class="n">{{ c.lenders.0 }} → {{ c.lenders.1 }}</td></tr>
{% endfor %}{% if let Some(t) = total %}<tr class="total"><th>{{ t.key }}</th><td class="n">{{ t.platforms.0 }} → {{ t.platforms.1 }}</td><td class="n">{{ t.outstanding.0 }} → {{ t.outstanding.1 }}</td><td class="n">{{ t.lenders.0 }} → {{ t.lenders.1 }}</td></tr>{% endif %}</table>
{% if !against_plan.is_empty() %}<h2>对照计划 Against the earlier run's plan <small>{{ new_as_of }}{% if let Some(d) = deadline %}; 期限 deadline {{ d }}{% endif %}</small></h2>
<table><tr><th>指标 measure</th><th>计划 planned</th><th>实际 actual</th><th>进度 standing</th></tr>
{% for a in against_plan %}<tr><td>{{ a.measure }}</td><td class="n">{{ a.planned }}</td><td class="n">{{ a.actual }}</td><td>{% if a.standing_en == "behind" %}<strong>{{ a.standing_zh }} {{ a.standing_en }}</strong>{% else %}{{ a.standing_zh }} {{ a.standing_en }}{% endif %}</td></tr>
{% endfor %}</table>{% endif %}
<h2>按属地 By district</h2>
<table><tr><th>属地 district</th><th>平台 platforms then → now</th><th>余额 outstanding (元) then → now</th><th>在贷出借人 lenders then → now</th></tr>
{% for c in by_district %}<tr><td>{{ c.key }}</td><td class="n">{{ c.platforms.0 }} → {{ c.platforms.1 }}</td><td class="n">{{ c.outstanding.0 }} → {{ c.outstanding.1 }}</td><td class="n">{{ c.lenders.0 }} → {{ c.lenders.1 }}</td></tr>
{% endfor %}</table>
<h2>变动 Changes</h2>
<p>已退出 exited ({{ exited.len() }}): {% for p in exited %}<a href="/platforms/{{ p|urlencode_strict }}">{{ p }}</a> {% endfor %}</p>
<p>新纳入 new ({{ appeared.len() }}): {% for p in appeared %}<a href="/platforms/{{ p|urlencode_strict }}">{{ p }}</a> {% endfor %}</p>
<p>类别变化 changed class ({{ changed.len() }}):</p><ul>{% for c in changed %}<li><a href="/platforms/{{ c.0|urlencode_strict }}">{{ c.0 }}</a>: {{ c.1 }} → {{ c.2 }}</li>{% endfor %}</ul>{% endif %}"#
)]
pub struct Progress {
    pub available: bool,
    pub old_as_of: String,
    pub new_as_of: String,
    pub by_class: Vec<ChangeLine>,
    pub total: Option<ChangeLine>,
    pub by_district: Vec<ChangeLine>,
    /// The remaining platforms, outstanding and lenders now against what the earlier run's
    /// plan projected for this date (none when it had no plan).
    pub against_plan: Vec<PlanStanding>,
    pub deadline: Option<String>,
    pub exited: Vec<String>,
    pub appeared: Vec<String>,
    pub changed: Vec<(String, String, String)>,
}

pub async fn progress(State(desk): State<Arc<Desk>>, Query(f): Query<Format>) -> Response {
    let page = match &desk.progress {
        None => Progress {
            available: false,
            old_as_of: String::new(),
            new_as_of: desk.run.summary.as_of.clone().unwrap_or_default(),
            by_class: Vec::new(),
            total: None,
            by_district: Vec::new(),
            against_plan: Vec::new(),
            deadline: None,
            exited: Vec::new(),
            appeared: Vec::new(),
            changed: Vec::new(),
        },
        Some(b) => {
            let mut by_class: Vec<(&String, &(crate::output::documents::bulletin::Totals, _))> =
                b.by_class.iter().collect();
            by_class.sort_by_key(|(code, _)| crate::domain::class::Class::shown_rank(code));
            let now = &b.total.1;
            let against_plan = match &b.projected {
                None => Vec::new(),
                Some(p) => {
                    use crate::output::documents::bulletin::standing;
                    let line = |measure, planned: i64, actual: i64, money: bool| {
                        let (en, zh) = standing(planned, actual);
                        let show = |v: i64| {
                            if money {
                                grouped(i128::from(v))
                            } else {
                                v.to_string()
                            }
                        };
                        PlanStanding {
                            measure,
                            planned: show(planned),
                            actual: show(actual),
                            standing_en: en,
                            standing_zh: zh,
                        }
                    };
                    vec![
                        line(
                            "剩余平台 platforms remaining",
                            p.platforms,
                            now.platforms,
                            false,
                        ),
                        line(
                            "剩余余额 outstanding remaining (元)",
                            p.outstanding,
                            now.outstanding,
                            true,
                        ),
                        line(
                            "剩余出借人 lenders remaining",
                            p.lenders,
                            now.lenders,
                            false,
                        ),
                    ]
                }
            };
            Progress {
                available: true,
                old_as_of: b.old_as_of.to_string(),
                new_as_of: b.new_as_of.to_string(),
                by_class: by_class
                    .into_iter()
                    .map(|(code, totals)| {
                        let key = crate::domain::class::Class::of_code(code)
                            .map_or(code.clone(), |c| format!("{} {code}", c.zh()));
                        change_line(key, totals)
                    })
                    .collect(),
                total: Some(change_line("合计 total".to_string(), &b.total)),
                by_district: b
                    .by_district
                    .iter()
                    .map(|(d, totals)| change_line(d.clone(), totals))
                    .collect(),
                against_plan,
                deadline: b.deadline.map(|d| d.to_string()),
                exited: b.exited.clone(),
                appeared: b.appeared.clone(),
                changed: b.changed.clone(),
            }
        }
    };
    answer(&page, "进展 Progress", f.format.as_deref())
}
