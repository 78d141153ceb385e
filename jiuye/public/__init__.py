"""Public pages (no login): the policy list, the self-check (政策计算器), the notices of paid batches."""
