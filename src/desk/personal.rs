//! `serve --personal DATA`: the help line's view of who a lender is. Started with it, the desk
//! reads the input folder the run read (validated as `run` reads it, the lenders' personal
//! columns kept) and a lender's page shows the name, the phone, and the id number and bank
//! account masked to their last four characters — enough to confirm a caller, not to copy a
//! record. Without it the desk shows ids only: the run folder holds no personal data. A run
//! whose lenders are pseudonyms cannot be matched to names and is refused with --personal.

use serde::Serialize;

use crate::domain::code::Code;
use crate::input::data::{InputData, LenderIndex, Personal};

/// The lenders' personal data, by lender id.
pub struct People {
    index: LenderIndex,
    personal: Personal,
}

/// What a lender's page shows of the person.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Person {
    pub name: String,
    pub phone: String,
    /// The id number's last four characters, the rest as `*`.
    pub id_number: String,
    /// The bank account's last four digits, the rest as `*` ("" when none).
    pub bank_account: String,
    pub bank: String,
}

impl People {
    /// The personal data of `data` (validated with its personal columns kept); `None` when
    /// it has none.
    pub fn of(data: InputData) -> Option<People> {
        Some(People {
            index: data.lender_index,
            personal: data.personal?,
        })
    }

    /// The person behind lender `id`, when the input has the lender.
    pub fn person(&self, id: &str) -> Option<Person> {
        let code = self.index.find(id).accepted()?;
        let p = &self.personal;
        // A column the input did not have holds no entries.
        let text = |s: &crate::input::ids::Strings| {
            if code.index() < s.len() {
                s.get(code).to_string()
            } else {
                String::new()
            }
        };
        Some(Person {
            name: text(&p.names),
            phone: text(&p.phones),
            id_number: masked(&text(&p.id_numbers)),
            bank_account: masked(&text(&p.bank_accounts)),
            bank: text(&p.bank_names),
        })
    }
}

/// All but the last four characters as `*`.
fn masked(s: &str) -> String {
    let n = s.chars().count();
    s.chars()
        .enumerate()
        .map(|(i, c)| if i + 4 < n { '*' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::masked;

    #[test]
    fn only_the_last_four_characters_are_shown() {
        assert_eq!(masked("420102199001011234"), "**************1234");
        assert_eq!(masked("6222021234567890"), "************7890");
        assert_eq!(masked("123"), "123");
        assert_eq!(masked(""), "");
    }
}
