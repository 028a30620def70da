//! Paying out, shared by `run` and `payout`: the payment file, the bank batches and the register
//! checked before any work ([`payout_outputs`]), the data's shape against the payout options
//! ([`check_payout_shape`]), the ledger read ([`read_ledger`]), and the rounds computed with
//! every transfer screened against the register and written ([`compute_payouts`]).

use crate::cli::args::*;
use crate::cli::console::{self, Log};
use crate::cli::job::inputs_of;
use crate::config::Config;
use crate::domain::money::Fen;
use crate::error::{DataProblem, Error, LedgerProblem, Result, ReturnsProblem};
use crate::input::InputData;
use crate::input::Validated;
use crate::output::bank::batches::Carried;
use crate::output::bank::register::{Register, Status as RegisterStatus};
use crate::output::folder::manifest::Pseudonymizer;
use crate::output::{self, PaymentFile, Staging};
use crate::payout::ledger::Ledger;
use crate::payout::rounds::{self, Payouts, Transfer};
use crate::rules::Analysis;
use std::path::Path;

/// The output folder, the payment file, the batches and the register of a payout, checked and
/// opened before any work.
pub fn payout_outputs(
    input: &InputArgs,
    opts: &PayoutOptions,
    out: &Path,
    force: bool,
) -> Result<(Staging, Transfers)> {
    let inputs = inputs_of(input, opts.ledger.as_deref());
    let staging = Staging::create(out, &inputs, force)?;
    let file = opts
        .payment_file
        .as_deref()
        .map(|p| PaymentFile::create(p, out, &inputs, force))
        .transpose()?;
    let inputs = match &opts.payment_file {
        Some(f) => inputs.with("the payment file", f),
        None => inputs,
    };
    let batches = opts
        .payments
        .as_deref()
        .map(|p| output::bank::batches::PaymentBatches::create(p, out, &inputs, force))
        .transpose()?;
    let register = Register::locate(
        opts.register.as_deref(),
        opts.payment_file.as_deref(),
        opts.payments.as_deref(),
    )
    .map(|path| -> Result<Register> {
        let inputs = inputs.clone().with("the output folder", out);
        output::folder::staging::check_apart("--register", &path, &inputs)?;
        let mut register = Register::open(&path)?;
        // --force replaces a payment file or batches: what they carried is void.
        if force {
            for replaced in [&opts.payment_file, &opts.payments].into_iter().flatten() {
                if replaced.exists() {
                    register.void_file(&replaced.display().to_string());
                }
            }
        }
        Ok(register)
    })
    .transpose()?;
    Ok((
        staging,
        Transfers {
            file,
            batches,
            register,
            notes: Vec::new(),
        },
    ))
}

/// What leaves for the bank: the payment file and the bank batches, when asked for, and the
/// register of issued transfers that both are checked against and recorded in.
pub struct Transfers {
    file: Option<PaymentFile>,
    batches: Option<output::bank::batches::PaymentBatches>,
    register: Option<Register>,
    /// What the console says of them once the summaries are printed.
    pub notes: Vec<String>,
}

impl Transfers {
    /// Whether the lenders' personal data must be read.
    pub fn any(&self) -> bool {
        self.file.is_some() || self.batches.is_some()
    }

    /// The rounds computed on the console, then what the bank files need a clerk to know.
    pub fn say(&self, payouts: &Payouts, log: &Log) {
        console::print_payout_summary(payouts, log);
        for note in &self.notes {
            log.info(note);
        }
    }

    /// What commits with the output folder.
    pub fn issue(&mut self) -> output::Issue<'_> {
        output::Issue {
            payment: self.file.as_mut(),
            batches: self.batches.as_mut(),
            register: self.register.as_mut(),
        }
    }
}

/// Checks of the data's shape against the payout options, made right after the data are read
/// and before any work: a payment file or batches over several rounds of one platform need
/// `--ledger` (which says what was paid) or `--pay-all-rounds`.
pub fn check_payout_shape(
    opts: &PayoutOptions,
    transfers: &Transfers,
    data: &InputData,
) -> Result<()> {
    if transfers.any() && opts.ledger.is_none() && !opts.pay_all_rounds {
        if let Some((platform, rounds)) = rounds::several_rounds(data) {
            let flag = if transfers.file.is_some() {
                "--payment-file"
            } else {
                "--payments"
            };
            return Err(Error::from(LedgerProblem::RoundsWithoutLedger {
                flag,
                platform,
                rounds,
            }));
        }
    }
    // Batches with no account column at all are a mapping left out, not lenders to list.
    let accounts = data.personal.as_ref().map_or(0, |p| p.accounts_given);
    if transfers.batches.is_some() && accounts == 0 && !data.lenders.is_empty() {
        return Err(DataProblem::NoBankAccount.into());
    }
    Ok(())
}

/// The ledger of `--ledger`, read against the data; then the lender ids' table, which only
/// the ledger's lender ids need, is freed (1.5 GB at national scale).
pub fn read_ledger(
    opts: &PayoutOptions,
    validated: &mut Validated,
    log: &Log,
) -> Result<Option<Ledger>> {
    let ledger = opts
        .ledger
        .as_deref()
        .map(|l| Ledger::read(l, &validated.data))
        .transpose()?;
    if let Some(l) = &ledger {
        // Its rounds against today's recoveries, before any work (again in the payouts).
        l.check_against(&validated.data, &rounds::pools(&validated.data))?;
        if let Some(note) = never_issued(l) {
            log.info(&note);
        }
    }
    validated.data.forget_lender_index();
    Ok(ledger)
}

/// A ledger folder whose command wrote neither a payment file nor batches computed payouts
/// that winddown never issued: said on the console, since the next rounds take them as paid.
pub fn never_issued(ledger: &Ledger) -> Option<String> {
    let dir = ledger.path.parent()?;
    let text = std::fs::read_to_string(dir.join("manifest.json")).ok()?;
    let manifest: output::folder::records::Manifest = serde_json::from_str(&text).ok()?;
    let paid = ledger.rounds.iter().any(|r| r.paid > Fen::ZERO);
    (paid && manifest.payment_file.is_none() && manifest.payment_batches.is_empty()).then(|| {
        format!(
            "note: the ledger {} was written without a payment file or bank batches: what its \
             command computed was not issued by winddown, and is taken as paid (outside it)",
            dir.display()
        )
    })
}

/// The payout rounds of a command, on the ledger if one was given, with the payment file's
/// rows and the batches written (not yet placed) if they were asked for. Every transfer is
/// checked against the register first.
#[allow(clippy::too_many_arguments)]
pub fn compute_payouts(
    opts: &PayoutOptions,
    ledger: Option<&Ledger>,
    config: &Config,
    validated: &Validated,
    analysis: &Analysis,
    transfers: &mut Transfers,
    pseudonyms: Option<&Pseudonymizer>,
    log: &Log,
) -> Result<Payouts> {
    let data = &validated.data;
    let who = |id: &str| match pseudonyms {
        Some(p) => p.pseudonym(id),
        None => id.to_string(),
    };
    // A returned amount is re-issued only by a command that sends it.
    let sending = transfers.any();
    let payouts = rounds::payouts(
        data,
        &analysis.claims,
        ledger,
        opts.rule(config),
        sending,
        &who,
        log,
    )?;
    if sending {
        if let Some((platform, round)) = payouts.returns_on_computed_round() {
            return Err(Error::from(ReturnsProblem::RoundPaidAgain {
                platform: data.platforms.ids[platform].to_string(),
                round,
            }));
        }
    }
    let mut sent = if sending {
        payouts.transfers()
    } else {
        Vec::new()
    };
    if let Some(register) = transfers.register.as_ref() {
        sent.extend(register.catch_ups(data, &payouts));
        let (keep, left_out) = register.screen(data, &payouts, sent)?;
        sent = keep;
        if !left_out.is_empty() {
            let total: i128 = left_out.iter().map(|t| i128::from(t.amount)).sum();
            transfers.notes.push(format!(
                "{} transfer{} ({} yuan) of this command were issued already (the register {} \
                 lists them): not issued again",
                left_out.len(),
                if left_out.len() == 1 { "" } else { "s" },
                crate::domain::money::grouped(total),
                register.path().display()
            ));
        }
    }
    if sending && sent.is_empty() {
        transfers.notes.push(
            "nothing new to pay: every round in the recoveries is in the ledger and no returned \
             amount is to be sent again (the payment file has its header only; no batch written)"
                .into(),
        );
    }
    let mut registered: Vec<(Transfer, RegisterStatus, String, String)> = Vec::new();
    if let Some(file) = transfers.file.as_mut() {
        let to_check = output::bank::payment::write_rows(file, data, &payouts, &sent)?;
        transfers
            .notes
            .extend(console::formula_like_note(&to_check, "the payment file"));
        let name = file.target().display().to_string();
        registered.extend(
            sent.iter()
                .map(|t| (*t, RegisterStatus::Issued, name.clone(), String::new())),
        );
    }
    if let Some(batches) = transfers.batches.as_mut() {
        let checks = batches.write(data, &payouts, &sent, &config.payments)?;
        transfers.notes.extend(console::batch_notes(&checks));
        // With a payment file beside them, the file is what issued every transfer.
        if transfers.file.is_none() {
            registered.extend(checks.carried.into_iter().map(|(t, c)| match c {
                Carried::Issued(file, sha) => (t, RegisterStatus::Issued, file, sha),
                Carried::Withheld => (t, RegisterStatus::Withheld, String::new(), String::new()),
            }));
        }
    }
    if let Some(register) = transfers.register.as_mut() {
        register.add(data, &payouts, &registered);
    }
    Ok(payouts)
}

/// notices.html: the printable notice of every round computed.
pub fn write_notices(
    staging: &Staging,
    analysis: &Analysis,
    payouts: &rounds::Payouts,
    opts: &PayoutOptions,
    config: &Config,
    validated: &Validated,
) -> Result<()> {
    let html = output::documents::notices::notices_html(
        analysis,
        payouts,
        opts.rule(config),
        config,
        // Dated the day they are published (--notice-date), else the data's as-of.
        opts.notice_date.or(validated.report.as_of),
    )?;
    staging.write("notices.html", html.as_bytes())
}

pub fn announce_payment(opts: &PayoutOptions, log: &Log) {
    if let Some(path) = &opts.payment_file {
        log.info(&format!(
            "wrote the payment file {} (mode 0600: it holds names and id numbers)",
            path.display()
        ));
    }
    if let Some(path) = &opts.payments {
        log.info(&format!(
            "wrote the bank batches in {} (mode 0600: they hold names and accounts)",
            path.display()
        ));
    }
}
