-- The core of `winddown run` as an analyst would write it in DuckDB SQL: the reference that
-- bench/run.sh times against winddown (issue 11). Load and validate the five tables, platform
-- metrics and classes, claims and platform roll-ups, round-1 payouts (pro rata, floor + largest
-- remainder), and write the result files. It does less than `run` (no rejects with lines, no
-- plan, no report, no later rounds), so the ratio flatters neither side.
-- Variables: the input folder is read from getvariable('data'), the output folder from 'out'.

SET preserve_insertion_order = false;

-- 1. Load and validate: types come from Parquet; ranges, duplicates and parents as filters.
CREATE TEMP TABLE platforms AS
SELECT * FROM read_parquet(getvariable('data') || '/platforms.parquet')
WHERE platform_id IS NOT NULL AND name IS NOT NULL AND district IS NOT NULL
QUALIFY row_number() OVER (PARTITION BY platform_id) = 1;

CREATE TEMP TABLE loans AS
SELECT l.* FROM read_parquet(getvariable('data') || '/loans.parquet') l
SEMI JOIN platforms p ON p.platform_id = l.platform_id
WHERE loan_id IS NOT NULL AND principal > 0 AND outstanding_principal BETWEEN 0 AND principal
  AND (matures_on IS NULL OR matures_on >= originated_on)
  AND coalesce(days_past_due, 0) >= 0 AND coalesce(collateral_value, 0) >= 0
QUALIFY row_number() OVER (PARTITION BY loan_id) = 1;

CREATE TEMP TABLE lenders AS
SELECT lender_id, district, coalesce(registered, true) AS registered,
       coalesce(excluded, false) AS excluded
FROM read_parquet(getvariable('data') || '/lenders.parquet')
WHERE lender_id IS NOT NULL
QUALIFY row_number() OVER (PARTITION BY lender_id) = 1;

CREATE TEMP TABLE investments AS
SELECT i.platform_id, i.lender_id, i.loan_id, i.matures_on, i.amount,
       coalesce(i.principal_returned, 0) AS principal_returned,
       coalesce(i.returns_received, 0) AS returns_received
FROM read_parquet(getvariable('data') || '/investments.parquet') i
SEMI JOIN platforms p ON p.platform_id = i.platform_id
SEMI JOIN lenders d ON d.lender_id = i.lender_id
WHERE investment_id IS NOT NULL AND amount > 0
  AND coalesce(principal_returned, 0) BETWEEN 0 AND amount
  AND coalesce(returns_received, 0) >= 0
  AND (matures_on IS NULL OR matures_on >= invested_on)
QUALIFY row_number() OVER (PARTITION BY investment_id) = 1;

CREATE TEMP TABLE recoveries AS
SELECT r.* FROM read_parquet(getvariable('data') || '/recoveries.parquet') r
SEMI JOIN platforms p ON p.platform_id = r.platform_id
WHERE round >= 1 AND amount >= 0;

-- 2. Platform metrics and classes.
CREATE TEMP TABLE as_of AS
SELECT greatest((SELECT max(originated_on) FROM loans), (SELECT max(received_on) FROM recoveries)) AS d;

CREATE TEMP TABLE lender_side AS
SELECT platform_id, sum(o) AS lender_outstanding, count(*) AS lenders_total,
       count(*) FILTER (WHERE o > 0) AS lenders_current
FROM (SELECT platform_id, lender_id, sum(amount - principal_returned) AS o
      FROM investments GROUP BY ALL) GROUP BY platform_id;

CREATE TEMP TABLE loan_side AS
SELECT platform_id,
  sum(outstanding_principal) AS loan_outstanding,
  sum(outstanding_principal) FILTER (WHERE days_past_due > 90) AS overdue_90_amount,
  sum(outstanding_principal) FILTER (WHERE related_party) AS related_amount,
  max(originated_on) AS last_new_loan_on,
  sum(least(outstanding_principal, round(outstanding_principal * CASE
        WHEN days_past_due = 0 THEN 0.95 WHEN days_past_due <= 30 THEN 0.80
        WHEN days_past_due <= 90 THEN 0.50 WHEN days_past_due <= 180 THEN 0.25 ELSE 0.10 END
        + coalesce(collateral_value, 0) * 0.50, 2))) AS expected_recovery
FROM loans GROUP BY platform_id;

CREATE TEMP TABLE borrower_side AS
SELECT platform_id,
  max(b) AS top1, sum(b) FILTER (WHERE rk <= 10) AS top10,
  sum(b) FILTER (WHERE b > CASE WHEN ent THEN 1000000 ELSE 200000 END) AS cap_breach
FROM (SELECT *, row_number() OVER (PARTITION BY platform_id ORDER BY b DESC) AS rk
      FROM (SELECT platform_id, borrower_id, sum(outstanding_principal) AS b,
                   bool_or(borrower_type = 'enterprise') AS ent
            FROM loans GROUP BY platform_id, borrower_id))
GROUP BY platform_id;

CREATE TEMP TABLE mismatch AS
SELECT i.platform_id, sum(i.amount - i.principal_returned) AS linked,
       sum(i.amount - i.principal_returned) FILTER (WHERE i.matures_on < l.matures_on) AS mismatched
FROM investments i JOIN loans l ON l.loan_id = i.loan_id
WHERE i.matures_on IS NOT NULL AND l.matures_on IS NOT NULL GROUP BY i.platform_id;

CREATE TEMP TABLE classes AS
SELECT p.platform_id, p.name, p.district,
  coalesce(ls.lender_outstanding, 0) AS lender_outstanding,
  coalesce(ls.lenders_current, 0) AS lenders_current,
  coalesce(lo.loan_outstanding, 0) AS loan_outstanding,
  coalesce(lo.expected_recovery, 0) AS expected_recovery,
  CASE
    WHEN p.case_filed OR p.controller_missing OR p.repayment_suspended THEN 'failed'
    WHEN lo.last_new_loan_on IS NULL OR date_diff('month', lo.last_new_loan_on, (SELECT d FROM as_of)) >= 6 THEN 'zombie'
    WHEN coalesce(ls.lender_outstanding, 0) < 100000000 THEN 'small'
    WHEN coalesce(p.red_flags, '') <> '' OR NOT coalesce(p.reporting, true)
      OR coalesce(lo.overdue_90_amount, 0) >= 0.10 * lo.loan_outstanding
      OR coalesce(ls.lender_outstanding, 0) - coalesce(lo.loan_outstanding, 0) >= 0.05 * ls.lender_outstanding
      OR coalesce(lo.related_amount, 0) >= 0.02 * lo.loan_outstanding
      OR coalesce(b.top10, 0) >= 0.50 * lo.loan_outstanding
      OR coalesce(b.cap_breach, 0) >= 0.10 * lo.loan_outstanding
      OR coalesce(m.mismatched, 0) >= 0.20 * m.linked THEN 'high_risk'
    ELSE 'normal' END AS class
FROM platforms p
LEFT JOIN lender_side ls USING (platform_id) LEFT JOIN loan_side lo USING (platform_id)
LEFT JOIN borrower_side b USING (platform_id) LEFT JOIN mismatch m USING (platform_id);

-- 3. Claims and platform roll-ups.
CREATE TEMP TABLE claims AS
SELECT c.*, CASE WHEN k.class = 'failed' THEN greatest(0, c.outstanding - c.returns_received)
                 ELSE c.outstanding END AS claim,
       CASE WHEN d.excluded THEN 'excluded' WHEN NOT d.registered THEN 'reserved' ELSE 'eligible' END AS status,
       k.class, d.district
FROM (SELECT platform_id, lender_id, sum(amount) AS invested,
             sum(principal_returned) AS principal_returned, sum(returns_received) AS returns_received,
             sum(amount) - sum(principal_returned) AS outstanding
      FROM investments GROUP BY ALL) c
JOIN classes k USING (platform_id) JOIN lenders d USING (lender_id);

CREATE TEMP TABLE rollups AS
SELECT platform_id, sum(claim) AS total_claim,
  count(*) FILTER (WHERE claim > 0) AS claim_lenders,
  count(*) FILTER (WHERE claim > 0 AND claim < 10000) AS band_0_1w,
  count(*) FILTER (WHERE claim >= 10000 AND claim < 50000) AS band_1w_5w,
  count(*) FILTER (WHERE claim >= 50000 AND claim < 100000) AS band_5w_10w,
  count(*) FILTER (WHERE claim >= 100000 AND claim < 500000) AS band_10w_50w,
  count(*) FILTER (WHERE claim >= 500000 AND claim < 1000000) AS band_50w_100w,
  count(*) FILTER (WHERE claim >= 1000000) AS band_100w_up,
  max(claim) AS top1, sum(claim * claim) / (sum(claim) * sum(claim)) AS claim_hhi,
  quantile_disc(claim, 0.5) FILTER (WHERE claim > 0) AS claim_median
FROM claims GROUP BY platform_id;

-- 4. Round-1 payouts: pro rata on eligible and reserved claims, floor + largest remainder.
CREATE TEMP TABLE payouts AS
WITH pool AS (SELECT platform_id, sum(amount) AS pool FROM recoveries WHERE round = 1 GROUP BY ALL),
members AS (
  SELECT c.platform_id, c.lender_id, c.status, CAST(c.claim * 100 AS HUGEINT) AS claim_fen,
         CAST(p.pool * 100 AS HUGEINT) AS pool_fen,
         sum(CAST(c.claim * 100 AS HUGEINT)) OVER (PARTITION BY c.platform_id) AS total_fen
  FROM claims c JOIN pool p USING (platform_id)
  WHERE c.claim > 0 AND c.status <> 'excluded'),
owed AS (
  SELECT *, least(pool_fen, total_fen) AS payable,
         (claim_fen * least(pool_fen, total_fen)) // total_fen AS floor_fen,
         (claim_fen * least(pool_fen, total_fen)) % total_fen AS rem
  FROM members),
ranked AS (
  SELECT *, payable - sum(floor_fen) OVER (PARTITION BY platform_id) AS leftover,
         row_number() OVER (PARTITION BY platform_id ORDER BY rem DESC, lender_id) AS rk
  FROM owed)
SELECT platform_id, 1 AS round, lender_id, status, claim_fen / 100 AS claim,
       (floor_fen + CASE WHEN rk <= leftover AND rem > 0 THEN 1 ELSE 0 END) / 100 AS owed
FROM ranked;

-- 5. The files.
COPY (SELECT * FROM classes ORDER BY platform_id) TO (getvariable('out') || '/platforms.parquet') (FORMAT parquet, COMPRESSION zstd);
COPY (SELECT * FROM claims ORDER BY platform_id, lender_id) TO (getvariable('out') || '/claims.parquet') (FORMAT parquet, COMPRESSION zstd);
COPY (SELECT * FROM rollups ORDER BY platform_id) TO (getvariable('out') || '/rollups.parquet') (FORMAT parquet, COMPRESSION zstd);
COPY (SELECT * FROM payouts ORDER BY platform_id, lender_id) TO (getvariable('out') || '/payouts.parquet') (FORMAT parquet, COMPRESSION zstd);
