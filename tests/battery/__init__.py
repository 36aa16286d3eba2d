"""The mutation battery and the fairness doubles: the kit judged by targets whose truth is known.

A check is only worth its verdicts if it fails a target with exactly the defect it is about
(the single-defect battery: test_mutants.py over models_mutants.py and chat_mutants.py) and passes a
target that made another choice the contract allows (test_fairness.py, test_real_data.py).
Every target here is the reference server with one small override, served on a free
127.0.0.1 port and judged through the kit's real CLI.
"""
