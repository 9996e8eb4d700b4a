// A ctrl.if whose branch ends the workflow early stays even when its result is
// unused and both branches are otherwise pure; the pure op inside it still goes.
"skc.workflow"() ({
^bb0(%bad: !skc.bool):
  %r = "ctrl.if"(%bad) ({
    %dead = "data.const"() {value = "unused"} : () -> !skc.text
    %msg = "data.const"() {value = "escalate to the on-call DBA"} : () -> !skc.text
    "ctrl.return"(%msg) {status = "escalate"} : (!skc.text) -> ()
  }, {
    %ok = "data.const"() {value = "fine"} : () -> !skc.text
    "ctrl.yield"(%ok) : (!skc.text) -> ()
  }) : (!skc.bool) -> !skc.text
  %done = "data.const"() {value = "done"} : () -> !skc.text
  "ctrl.return"(%done) : (!skc.text) -> ()
}) {arg_names = ["bad"], sym_name = "early_exit"} : () -> ()
