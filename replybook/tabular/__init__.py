"""Reading the files shops have: the one encoding rule, and (to come) Excel and chat logs; the cells
Excel would run as formulas."""

from replybook.tabular.cells import FORMULA_PREFIXES, formula_cell, quote_formula

__all__ = ["FORMULA_PREFIXES", "formula_cell", "quote_formula"]
