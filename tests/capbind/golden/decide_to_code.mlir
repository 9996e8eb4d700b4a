// Yes/no decisions that code can make are compiled to calc.cmp + ctrl.if (compensation 1);
// the third decision has no code form and is only constrained to its outcomes (2).
// OPTIONS: {"profile": "profiles/weak.json"}
"skc.workflow"() ({
^bb0(%errors: !skc.num, %log: !skc.text):
  %page = "llm.decide"(%errors) {outcomes = ["yes", "no"], prompt = "Is the error count above 5?"} : (!skc.num) -> !skc.text loc("runbooks/errors.md":4:1)
  %oom = "llm.decide"(%log) {outcomes = ["no", "yes"], prompt = "Does the log mention 'OOMKilled'?"} : (!skc.text) -> !skc.text loc("runbooks/errors.md":7:1)
  %sev = "llm.decide"(%log) {outcomes = ["low", "high"], prompt = "How severe is it?"} : (!skc.text) -> !skc.text loc("runbooks/errors.md":9:1)
  "ctrl.return"(%page, %oom, %sev) : (!skc.text, !skc.text, !skc.text) -> ()
}) {arg_names = ["errors", "log"], sym_name = "errors"} : () -> ()
