//! ISO 20022 files exchanged with the bank's systems (being written: issue 5).
