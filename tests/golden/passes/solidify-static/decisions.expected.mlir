"skc.workflow"() ({
^bb0(%n: !skc.num, %limit: !skc.num, %report: !skc.text):
  %over = "calc.cmp"(%n, %limit) {pred = "gt", target = "cpu"} : (!skc.num, !skc.num) -> !skc.bool
  %only = "data.const"() {value = "escalate"} : () -> !skc.text
  %page = "ctrl.if"(%over) ({
    %0 = "data.const"() {target = "cpu", value = "Yes"} : () -> !skc.text
    "ctrl.yield"(%0) : (!skc.text) -> ()
  }, {
    %1 = "data.const"() {target = "cpu", value = "No"} : () -> !skc.text
    "ctrl.yield"(%1) : (!skc.text) -> ()
  }) {level = 1 : i64, step = "Step 3", target = "cpu"} : (!skc.bool) -> !skc.text loc("runbooks/Count.md":7:1)
  %judge = "llm.decide"(%report) {outcomes = ["yes", "no"], prompt = "Is the report alarming?"} : (!skc.text) -> !skc.text
  %which = "llm.decide"(%over) {outcomes = ["scale", "wait"], prompt = "What should we do?"} : (!skc.bool) -> !skc.text
  "ctrl.return"(%only, %page, %judge, %which) : (!skc.text, !skc.text, !skc.text, !skc.text) -> ()
}) {arg_names = ["n", "limit", "report"], sym_name = "decisions"} : () -> ()
