//! The defaults of docs/rules.md and docs/payouts.md: the resolved [`Config::default`] and the same config as
//! commented TOML (`winddown rules --print-defaults`); a test checks that one reads back as the
//! other.

use std::collections::BTreeMap;

use super::{Basis, ClassifyRules, Config, PlanRules, Ratio, RecoveryRates};
use crate::domain::money::Fen;

/// The defaults of docs/rules.md and docs/payouts.md, in one place (DEFAULTS_TOML documents them; a test checks
/// that reading it back gives exactly these). Ratios are written as the config parser makes
/// them from their shortest decimal text ("0.05" is 5/100).
impl Default for Config {
    fn default() -> Config {
        const FINANCE: &str = "地方金融监管部门";
        const BANKING: &str = "银保监分局";
        const PBOC: &str = "人民银行分支机构";
        const POLICE: &str = "公安机关";
        let ratio = |num, den| Ratio { num, den };
        let units = |u: &[&str]| u.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        Config {
            columns: BTreeMap::new(),
            classify: ClassifyRules {
                zombie_months: 6,
                small_max_outstanding: Fen(100_000_000 * 100),
                small_max_current_lenders: None,
                overdue_90_ratio: ratio(1, 10),
                funding_gap_ratio: ratio(5, 100),
                related_party_share: ratio(2, 100),
                top10_borrower_share: ratio(5, 10),
                borrower_cap_breach_share: ratio(1, 10),
                maturity_mismatch_share: ratio(2, 10),
                individual_borrower_cap: Fen(200_000 * 100),
                enterprise_borrower_cap: Fen(1_000_000 * 100),
            },
            recovery: RecoveryRates {
                buckets: [9_500, 8_000, 5_000, 2_500, 1_000],
                collateral: 5_000,
            },
            basis: [
                Basis::NetOfReturns,
                Basis::OutstandingPrincipal,
                Basis::OutstandingPrincipal,
                Basis::OutstandingPrincipal,
                Basis::OutstandingPrincipal,
            ],
            plan: PlanRules {
                stages: 4,
                stage_months: 3,
                max_platforms: Some(20),
                max_current_lenders: None,
                max_outstanding: None,
                units: [
                    units(&[POLICE, FINANCE, PBOC, BANKING]),
                    units(&[FINANCE, BANKING]),
                    units(&[FINANCE, BANKING, PBOC]),
                    units(&[FINANCE, BANKING, PBOC, POLICE]),
                    units(&[FINANCE, BANKING, PBOC]),
                ],
                targets: Vec::new(),
                deadline: None,
                calendar: crate::domain::calendar::Calendar::official(),
            },
            payout_rule: crate::domain::division::Division::Pro,
            statement_sms: DEFAULT_SMS.to_string(),
            payments: super::Payments {
                columns: super::BatchField::default_columns(),
                batch_rows: 5000,
                gb18030: false,
            },
            cases: super::CaseRules {
                lawful_property: crate::domain::case::LawfulProperty::ParticipantsFirst,
                deposit_certificate_from: Fen(50 * 100),
            },
        }
    }
}

/// The default config as `rules --print-defaults` prints it: [`DEFAULTS_TOML`] with the built-in
/// official calendar listed in comments under `[calendar]`.
pub fn defaults_toml() -> String {
    let mut listed = String::from(
        "# 内置的国务院办公厅节假日安排 / the built-in official calendar:\n# 放假 holidays:\n",
    );
    for (from, to) in crate::domain::calendar::OFFICIAL_HOLIDAYS {
        listed.push_str(&if from == to {
            format!("#   {from}\n")
        } else {
            format!("#   {from}..{to}\n")
        });
    }
    listed.push_str("# 调休上班 make-up working days:\n");
    for chunk in crate::domain::calendar::OFFICIAL_WORKDAYS.chunks(6) {
        listed.push_str(&format!("#   {}\n", chunk.join(", ")));
    }
    DEFAULTS_TOML.replacen("[calendar]\n", &format!("[calendar]\n{listed}"), 1)
}

/// The default SMS text of `statement --all`.
const DEFAULT_SMS: &str = "{name}您好：您在{platforms}个平台的债权合计{claim}元，已兑付{paid}元，提存待领{reserved}元，尚欠{remaining}元。详情请咨询清算组。";

/// The default config with a comment per key, in Chinese and English
/// (`winddown rules --print-defaults`). Reading it back gives exactly the defaults.
pub const DEFAULTS_TOML: &str = r#"# winddown 规则配置 / winddown rules
# 复制本文件后修改，用 --config FILE 传入。未知或拼错的键会报错。
# Copy this file, edit it, and pass it with --config FILE. An unknown or mistyped key is an error.
# 金额以元计 (yuan)；比例写成小数 (0.10 = 10%)，按精确小数比较。
# Amounts are in yuan; ratios are decimals (0.10 = 10%), compared exactly.

[columns]
# 表头映射：文件中的表头 = 合同列名。Header map: header in the file = contract column name.
# "平台编号" = "platform_id"
# "出借人编号" = "lender_id"

[classify]
# 僵尸类：距最近一笔新增借款的整月数 ≥ 此值（无借款也算僵尸类）。
# zombie: whole months since the last new loan ≥ this (no loans at all is zombie too).
zombie_months = 6
# 规模较小：出借余额 < 此值（元），深圳 1 亿元线。
# small: lender outstanding < this (yuan); Shenzhen's 1亿 line.
small_max_outstanding = 100000000
# 规模较小的第二个条件（可选）：在贷出借人数 < 此值。
# small, optional second condition: current lenders < this.
# small_max_current_lenders = 5000
# 高风险：逾期 90 天以上金额占借款余额比例 ≥ 此值。
# high risk: outstanding more than 90 days past due / loan outstanding ≥ this.
overdue_90_ratio = "0.10"
# 高风险：资金缺口（出借余额 − 借款余额）占出借余额比例 ≥ 此值（资金池/挪用）。
# high risk: (lender outstanding − loan outstanding) / lender outstanding ≥ this (cash pool).
funding_gap_ratio = "0.05"
# 高风险：关联方借款余额占比 ≥ 此值。
# high risk: related-party loan outstanding / loan outstanding ≥ this.
related_party_share = "0.02"
# 高风险：前十大借款人余额占比 ≥ 此值。
# high risk: outstanding of the 10 largest borrowers / loan outstanding ≥ this.
top10_borrower_share = "0.50"
# 高风险：超出借款限额的借款人余额占比 ≥ 此值（暂行办法第十七条）。
# high risk: outstanding of borrowers above their cap / loan outstanding ≥ this (Art. 17).
borrower_cap_breach_share = "0.10"
# 高风险：期限错配（出借先于所投借款到期）余额占比 ≥ 此值。
# high risk: investments maturing before the loan they fund / linked investments ≥ this.
maturity_mismatch_share = "0.20"
# 同一自然人在同一平台借款余额上限（元）。Cap per individual borrower on one platform (yuan).
individual_borrower_cap = 200000
# 同一法人或其他组织借款余额上限（元）。Cap per enterprise borrower on one platform (yuan).
enterprise_borrower_cap = 1000000

[recovery]
# 预期回收率，按逾期天数分档（最多 4 位小数）。Expected recovery rate by days past due (≤ 4 decimals).
# 未逾期 / not past due
rate_current = "0.95"
# 逾期 1–30 天 / 1–30 days
rate_1_30 = "0.80"
# 逾期 31–90 天 / 31–90 days
rate_31_90 = "0.50"
# 逾期 91–180 天 / 91–180 days
rate_91_180 = "0.25"
# 逾期 180 天以上 / more than 180 days
rate_over_180 = "0.10"
# 抵押物折算率 / share of collateral value recovered
collateral_rate = "0.50"
# 兑付分配规则（命令行 --rule 优先）：pro 按比例（均衡）、small-first:金额 小额优先、
# cea 等额分配、cel 等损分配、talmud 塔木德规则、apro 调整比例、rising-tide 水涨船高（已提取计入）。
# How payout rounds divide their pools (--rule wins): pro, small-first:T, cea, cel, talmud,
# apro, rising-tide.
rule = "pro"

[claims]
# 债权口径，按类别：net_of_returns = 本金折抵（已获收益冲抵本金，2014 意见第五条）；
# outstanding_principal = 合同口径（出借本金 − 已还本金）。
# Claim basis per class: net_of_returns offsets returns already received against principal;
# outstanding_principal is the contract's principal still owed.
failed = "net_of_returns"
zombie = "outstanding_principal"
small = "outstanding_principal"
high_risk = "outstanding_principal"
normal = "outstanding_principal"

[plan]
# 分阶段退出计划：阶段数与每阶段月数（默认按季度）。Stages of the exit plan, and months per stage.
stages = 4
stage_months = 3
# 每阶段容量（任一超出即进入下一阶段；单个平台超出容量则独占一个阶段，不会被遗漏）。
# Capacity per stage; a platform that alone exceeds one gets a stage of its own, never dropped.
max_platforms = 20
# max_current_lenders = 50000
# max_outstanding = 5000000000
# 完成期限（可选，命令行 --deadline 优先）：每阶段容量按需提高，使能按期完成的平台全部按期完成，
# 无论容量多大都不能按期完成的平台逐一列出并说明原因。
# Optional deadline (--deadline wins): the capacity per stage is raised until every platform that
# can finish by it does; those that cannot, whatever the capacity, are named with the reason.
# deadline = "2020-12-31"
# 三降目标（可选）：第 N 阶段末较起点下降的比例。Optional 三降 targets: reduction by the end of a stage.
# [[plan.targets]]
# measure = "lenders"      # platforms / outstanding / lenders
# stage = 2
# reduction = "0.50"

[plan.units]
# 各类平台的责任单位（另加平台属地区政府）。Responsible units per class (the platform's district is added).
failed = ["公安机关", "地方金融监管部门", "人民银行分支机构", "银保监分局"]
zombie = ["地方金融监管部门", "银保监分局"]
small = ["地方金融监管部门", "银保监分局", "人民银行分支机构"]
high_risk = ["地方金融监管部门", "银保监分局", "人民银行分支机构", "公安机关"]
normal = ["地方金融监管部门", "银保监分局", "人民银行分支机构"]

[calendar]
# 工作日：内置 2018–2023 年国务院办公厅节假日安排（法定节假日与调休上班日）；此处所列在其基础上增加。
# Working days: the State Council's holiday notices for 2018–2023 are built in; these add to them.
# 节假日（单日或起止日期）。Holidays: a day or an inclusive range.
holidays = []
# 调休上班日（周末上班），或取消的节假日。Weekend days worked, or holidays cancelled.
workdays = []

[statement]
# 出借人短信模板（statement --all）：{name} 姓名、{platforms} 平台数、{claim} 债权合计、{paid} 已兑付、
# {reserved} 提存待领、{remaining} 尚欠、{returned} 退汇待重发（元）。The SMS text per lender of
# `statement --all`.
sms = "{name}您好：您在{platforms}个平台的债权合计{claim}元，已兑付{paid}元，提存待领{reserved}元，尚欠{remaining}元。详情请咨询清算组。"

[payments]
# 银行批量代付文件（--payments DIR）：每个文件最多笔数；编码 utf-8-bom 或 gb18030。
# Bank batches (--payments DIR): transfers per file at most; encoding utf-8-bom or gb18030.
batch_rows = 5000
encoding = "utf-8-bom"
# 批量文件的列，按银行模板的顺序：seq 序号、account 收款人账号、name 收款人户名、bank 开户行、
# amount 金额(元)、purpose 用途；另可选 id_number 证件号码、phone 手机号码、lender_id 出借人编号。
# The batch file's columns in the bank template's order (account and amount are required).
columns = ["seq", "account", "name", "bank", "amount", "purpose"]
# 表头（可选，与 columns 一一对应；默认如上中文）。Headers, one per column (optional).
# headers = ["序号", "收款人账号", "收款人户名", "开户行", "金额(元)", "用途"]

[cases]
# 非法集资案件（winddown case，docs/cases.md）。被告人合法财产（未混同的）上，集资参与人是否优先于
# 其他民事债权人受偿：participants_first 优先（默认），pro_rata 按各自尚欠金额同比例。
# Illegal-fundraising cases: on the defendant's lawful, untainted property, participants come
# before other civil creditors (participants_first) or share with them pro rata (pro_rata).
lawful_property = "participants_first"
# 单笔支付达到该金额（元）以存单方式发放，不足的转账支付。A payment of at least this many yuan
# goes as a deposit certificate, below it by transfer.
deposit_certificate_from = 50
"#;
