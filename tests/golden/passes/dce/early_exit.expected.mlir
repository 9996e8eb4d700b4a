"skc.workflow"() ({
^bb0(%bad: !skc.bool):
  %r = "ctrl.if"(%bad) ({
    %msg = "data.const"() {value = "escalate to the on-call DBA"} : () -> !skc.text
    "ctrl.return"(%msg) {status = "escalate"} : (!skc.text) -> ()
  }, {
    %ok = "data.const"() {value = "fine"} : () -> !skc.text
    "ctrl.yield"(%ok) : (!skc.text) -> ()
  }) : (!skc.bool) -> !skc.text
  %done = "data.const"() {value = "done"} : () -> !skc.text
  "ctrl.return"(%done) : (!skc.text) -> ()
}) {arg_names = ["bad"], sym_name = "early_exit"} : () -> ()
