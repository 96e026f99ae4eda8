-- VAT on costs (issue 18, item 3): an invoice states an amount excluding VAT and the VAT; the
-- debtor is charged and the third party paid the total (amount_cents, unchanged in meaning:
-- the total, including VAT). Keep in step with ../postgres/0044_cost_vat.sql: a test compares both schemas.
--
-- Costs recorded before this migration keep amount_cents as their total; their VAT is unknown:
-- vat_rate_code stays NULL (shown « TVA non détaillée »), vat_cents is 0 and
-- amount_excl_vat_cents is the total (nothing is split after the fact). New costs always carry
-- their rate code (standard, not_subject: crates/domain/data/vat_rates.toml), the rate applied
-- in % and the VAT, computed from the amount excluding VAT and rounded half-up to the cent once.
ALTER TABLE costs ADD COLUMN amount_excl_vat_cents INTEGER;
ALTER TABLE costs ADD COLUMN vat_rate_code TEXT;
-- The rate applied, in % as a decimal text ("20").
ALTER TABLE costs ADD COLUMN vat_rate TEXT;
ALTER TABLE costs ADD COLUMN vat_cents INTEGER NOT NULL DEFAULT 0;
UPDATE costs SET amount_excl_vat_cents = amount_cents;
