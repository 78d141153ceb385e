"""Fund supervision (资金监管): checks over registry facts and ledger payments that raise flags for review.

金就办〔2023〕1号 六(三)、沪崇就办〔2023〕2号 (十六).  See docs/supervision.md.
"""
