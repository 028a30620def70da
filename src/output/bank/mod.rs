//! What leaves for the bank: the payment file ([`payment`]), the bank batches with their control
//! files and exceptions ([`batches`]), and the register of issued transfers both are checked
//! against ([`register`]). The only outputs with personal data besides the statements; 0600.

pub mod batches;
pub mod payment;
pub mod register;
