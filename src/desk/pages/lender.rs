//! `/lenders`, `/lenders/{id}`: the help line — a lender's claims on every platform, paid,
//! reserved, returned and still owed.

use super::*;

#[derive(Debug, Default, Deserialize)]
pub struct LenderQuery {
    pub id: Option<String>,
}

#[derive(Serialize, Template)]
#[template(
    ext = "html",
    source = r#"<h1>出借人查询 Lender lookup</h1>
<form method="get" action="/lenders"><input type="search" name="id" value="{{ id }}" placeholder="出借人编号 lender id" autofocus> <button type="submit">查询 look up</button></form>
{% if !message.is_empty() %}<p class="note">{{ message }}</p>{% endif %}"#
)]
pub struct LenderForm {
    pub id: String,
    pub message: String,
}

pub async fn lender_form(Query(q): Query<LenderQuery>) -> Response {
    if let Some(id) = q.id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        return axum::response::Redirect::to(&format!("/lenders/{}", url_encode(id)))
            .into_response();
    }
    answer(
        &LenderForm {
            id: String::new(),
            message: String::new(),
        },
        "出借人 Lender",
        None,
    )
}

#[derive(Serialize)]
pub struct LenderClaim {
    pub platform_id: String,
    pub name: String,
    pub class_zh: String,
    pub basis_zh: String,
    pub invested: Money,
    pub claim: Money,
    pub paid: Money,
    pub reserved: Money,
    pub returned: Money,
    pub remaining: Money,
}

#[derive(Serialize, Template)]
#[template(
    ext = "html",
    source = r#"<h1>出借人 Lender {{ lender_id }} <small>债权确认及兑付明细 claims and payouts</small></h1>
<p><a href="/lenders">另查一位 look up another</a></p>
{% if let Some(p) = person %}<table class="person"><tr><th>姓名 name</th><td>{{ p.name }}</td><th>电话 phone</th><td>{{ p.phone }}</td></tr><tr><th>证件号 id number</th><td>{{ p.id_number }}</td><th>收款账号 account</th><td>{{ p.bank_account }} {{ p.bank }}</td></tr></table>{% endif %}
<table><tr><th>平台 platform</th><th>类别 class</th><th>口径 basis</th><th>出借本金 invested</th><th>债权 claim</th><th>已兑付 paid</th><th>提存 reserved</th><th>退汇待重发 returned</th><th>尚欠 still owed</th></tr>
{% for c in claims %}<tr><td><a href="/platforms/{{ c.platform_id|urlencode_strict }}">{{ c.platform_id }} {{ c.name }}</a></td><td>{{ c.class_zh }}</td><td>{{ c.basis_zh }}</td><td class="n">{{ c.invested.exact }}</td><td class="n">{{ c.claim.exact }}</td><td class="n">{{ c.paid.exact }}</td><td class="n">{{ c.reserved.exact }}</td><td class="n">{{ c.returned.exact }}</td><td class="n">{{ c.remaining.exact }}</td></tr>
{% endfor %}</table>
<p>合计 total: 债权 claim {{ total_claim.exact }} 元 · 已兑付 paid {{ total_paid.exact }} 元 · 尚欠 still owed {{ total_remaining.exact }} 元</p>"#
)]
pub struct LenderPage {
    pub lender_id: String,
    /// Who the lender is: only when the desk was started with `--personal` (then in the JSON
    /// twin too); without it there is no such field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person: Option<crate::desk::personal::Person>,
    pub claims: Vec<LenderClaim>,
    pub total_claim: Money,
    pub total_paid: Money,
    pub total_remaining: Money,
}

pub async fn lender(
    State(desk): State<Arc<Desk>>,
    Path(id): Path<String>,
    Query(f): Query<Format>,
) -> Response {
    // Reads only the row groups of claims.parquet and payouts.parquet whose bloom filter may
    // hold the id: a blocking read, off the async workers.
    let dir = desk.run.dir.clone();
    let lookup = id.clone();
    let found = tokio::task::spawn_blocking(move || {
        crate::output::documents::statement::statement(&dir, &lookup)
    })
    .await;
    let statement = match found {
        Ok(Ok(Some(s))) => s,
        Ok(Ok(None)) => {
            let page = LenderForm {
                id: id.clone(),
                message: format!(
                    "没有出借人 {id} 的债权 no lender with this id has a claim in this run"
                ),
            };
            let mut r = answer(&page, "出借人 Lender", f.format.as_deref());
            *r.status_mut() = StatusCode::NOT_FOUND;
            return r;
        }
        Ok(Err(e)) => return (StatusCode::INTERNAL_SERVER_ERROR, e.one_line()).into_response(),
        Err(_) => return (StatusCode::INTERNAL_SERVER_ERROR, "lookup failed").into_response(),
    };
    let mut claims = Vec::new();
    let (mut total_claim, mut total_paid, mut total_remaining) = (0i64, 0i64, 0i64);
    for c in &statement.claims {
        let rounds: Vec<_> = statement
            .rounds
            .iter()
            .filter(|r| r.platform_id == c.platform_id)
            .collect();
        let paid: i64 = rounds.iter().map(|r| r.paid).sum();
        let reserved: i64 = rounds.iter().map(|r| r.reserved).sum();
        let returned: i64 = rounds.iter().map(|r| r.returned).sum();
        let remaining = rounds.last().map_or(c.claim, |r| r.remaining);
        total_claim += c.claim;
        total_paid += paid;
        total_remaining += remaining;
        claims.push(LenderClaim {
            platform_id: c.platform_id.clone(),
            name: desk
                .run
                .platform(&c.platform_id)
                .map(|p| p.name.clone())
                .unwrap_or_default(),
            class_zh: c.class_zh.clone(),
            basis_zh: if c.basis == "net_of_returns" {
                "本金折抵".into()
            } else {
                "合同口径".into()
            },
            invested: money(c.invested),
            claim: money(c.claim),
            paid: money(paid),
            reserved: money(reserved),
            returned: money(returned),
            remaining: money(remaining),
        });
    }
    let page = LenderPage {
        person: desk
            .people
            .as_ref()
            .and_then(|p| p.person(&statement.lender_id)),
        lender_id: statement.lender_id.clone(),
        claims,
        total_claim: money(total_claim),
        total_paid: money(total_paid),
        total_remaining: money(total_remaining),
    };
    answer(&page, &format!("出借人 {id}"), f.format.as_deref())
}
