//! Names and bank accounts as generated: platform names, people's names, and card numbers
//! with a Luhn check digit (a few missing or mistyped, as real registers have them).

use super::super::rng::Rng;

pub(super) fn platform_name(r: &mut Rng) -> String {
    const HEAD: &[&str] = &[
        "鄂", "楚", "汇", "鑫", "盛", "信", "融", "金", "银", "富", "恒", "安", "聚", "众", "和",
        "泰", "宏", "达", "通", "宝",
    ];
    const TAIL: &[&str] = &[
        "贷", "金融", "财富", "理财", "在线", "普惠", "金服", "e贷", "投", "钱庄",
    ];
    format!("{}{}{}", r.pick(HEAD), r.pick(HEAD), r.pick(TAIL))
}

/// Debit-card issuers of the large banks: the bank's name, a BIN (issuer prefix) and the
/// card's length, with the share of lenders banking there.
const BANKS: &[(&str, &str, usize, f64)] = &[
    ("中国工商银行", "622202", 19, 0.24),
    ("中国建设银行", "621700", 19, 0.20),
    ("中国农业银行", "622848", 19, 0.17),
    ("中国银行", "621661", 19, 0.12),
    ("招商银行", "622588", 16, 0.09),
    ("交通银行", "622260", 19, 0.06),
    ("中国邮政储蓄银行", "621799", 19, 0.07),
    ("湖北银行", "623521", 19, 0.05),
];

/// A lender's bank account and bank: a card number with a valid Luhn check digit, for about
/// 97 in 100 lenders; about 2 in 100 give none (paid once they do) and about 1 in 100 a
/// mistyped one (a digit short, or a letter: refused as `invalid_bank_account`).
pub(in crate::generate) fn bank_account(r: &mut Rng) -> (Option<String>, Option<&'static str>) {
    let shares: Vec<f64> = BANKS.iter().map(|b| b.3).collect();
    let (bank, bin, len, _) = BANKS[r.weighted(&shares)];
    let mut digits: Vec<u8> = bin.bytes().map(|b| b - b'0').collect();
    while digits.len() < len - 1 {
        digits.push(r.below(10) as u8);
    }
    digits.push(luhn_digit(&digits));
    let mut account: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
    match r.weighted(&[0.97, 0.02, 0.006, 0.004]) {
        0 => {}
        1 => return (None, None),
        2 => account.truncate(7),
        _ => account.replace_range(8..9, "O"),
    }
    (Some(account), Some(bank))
}

/// The Luhn check digit of a card number's other digits.
pub(super) fn luhn_digit(digits: &[u8]) -> u8 {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

pub(in crate::generate) fn person_name(r: &mut Rng) -> String {
    const SURNAMES: &[&str] = &[
        "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡",
        "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
    ];
    const GIVEN: &[&str] = &[
        "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
        "明", "超", "秀", "霞", "平", "刚", "桂", "英", "华", "文", "建", "国", "红", "玉", "兰",
    ];
    let surname: &&str = r.pick(SURNAMES);
    let mut name = surname.to_string();
    let given: &&str = r.pick(GIVEN);
    name.push_str(given);
    if r.chance(0.6) {
        let given: &&str = r.pick(GIVEN);
        name.push_str(given);
    }
    name
}
