"skc.workflow"() ({
^bb0(%errors: !skc.num, %log: !skc.text):
  %0 = "data.const"() {value = 5 : i64} : () -> !skc.num loc("runbooks/errors.md":4:1)
  %1 = "calc.cmp"(%errors, %0) {pred = "gt"} : (!skc.num, !skc.num) -> !skc.bool loc("runbooks/errors.md":4:1)
  %page = "ctrl.if"(%1) ({
    %2 = "data.const"() {value = "yes"} : () -> !skc.text loc("runbooks/errors.md":4:1)
    "ctrl.yield"(%2) : (!skc.text) -> () loc("runbooks/errors.md":4:1)
  }, {
    %3 = "data.const"() {value = "no"} : () -> !skc.text loc("runbooks/errors.md":4:1)
    "ctrl.yield"(%3) : (!skc.text) -> () loc("runbooks/errors.md":4:1)
  }) : (!skc.bool) -> !skc.text loc("runbooks/errors.md":4:1)
  %4 = "data.const"() {value = "OOMKilled"} : () -> !skc.text loc("runbooks/errors.md":7:1)
  %5 = "calc.cmp"(%log, %4) {pred = "contains"} : (!skc.text, !skc.text) -> !skc.bool loc("runbooks/errors.md":7:1)
  %oom = "ctrl.if"(%5) ({
    %6 = "data.const"() {value = "yes"} : () -> !skc.text loc("runbooks/errors.md":7:1)
    "ctrl.yield"(%6) : (!skc.text) -> () loc("runbooks/errors.md":7:1)
  }, {
    %7 = "data.const"() {value = "no"} : () -> !skc.text loc("runbooks/errors.md":7:1)
    "ctrl.yield"(%7) : (!skc.text) -> () loc("runbooks/errors.md":7:1)
  }) : (!skc.bool) -> !skc.text loc("runbooks/errors.md":7:1)
  %sev = "llm.decide"(%log) {constrain = "grammar", outcomes = ["low", "high"], prompt = "How severe is it?"} : (!skc.text) -> !skc.text loc("runbooks/errors.md":9:1)
  "ctrl.return"(%page, %oom, %sev) : (!skc.text, !skc.text, !skc.text) -> ()
}) {arg_names = ["errors", "log"], sym_name = "errors"} : () -> ()
