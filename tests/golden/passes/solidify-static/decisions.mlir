// A decision with one possible outcome is a constant; a yes/no decision over a
// boolean code already computed is a ctrl.if on it (kept placement and level);
// a decision over text, or with outcomes that are not yes/no, stays.
"skc.workflow"() ({
^bb0(%n: !skc.num, %limit: !skc.num, %report: !skc.text):
  %over = "calc.cmp"(%n, %limit) {pred = "gt", target = "cpu"} : (!skc.num, !skc.num) -> !skc.bool
  %only = "llm.decide"(%report) {outcomes = ["escalate"], prompt = "What now?"} : (!skc.text) -> !skc.text
  %page = "llm.decide"(%over) {level = 1 : i64, outcomes = ["No", "Yes"], prompt = "Is the count over the limit?", step = "Step 3", target = "llm.local"} : (!skc.bool) -> !skc.text loc("runbooks/Count.md":7:1)
  %judge = "llm.decide"(%report) {outcomes = ["yes", "no"], prompt = "Is the report alarming?"} : (!skc.text) -> !skc.text
  %which = "llm.decide"(%over) {outcomes = ["scale", "wait"], prompt = "What should we do?"} : (!skc.bool) -> !skc.text
  "ctrl.return"(%only, %page, %judge, %which) : (!skc.text, !skc.text, !skc.text, !skc.text) -> ()
}) {arg_names = ["n", "limit", "report"], sym_name = "decisions"} : () -> ()
