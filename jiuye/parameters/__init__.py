"""Dated parameter values set by the bureau (catalog G6: amounts "按市级标准" the documents do not state).

The packaged YAML files hold the documents' own values; a policy officer adds a dated value with its
source here (an audited change, never a code edit).  Matching, evaluation over the registry and the
what-if preview read the YAML values with the stored ones applied from their dates on.
"""
