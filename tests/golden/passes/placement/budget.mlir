// RUN: placement{budget_s=5.0}
// OPTIONS: {"models": {"fast": {"tokens_per_s": 200, "overhead_s": 0.3, "usd_per_mtok_in": 0.5, "usd_per_mtok_out": 1.5}, "big": {"tokens_per_s": 40, "usd_per_mtok_in": 5, "usd_per_mtok_out": 15}}}
// Local is free, so it is the first choice; the long generation (about 10 s locally)
// breaks the 5 s budget and moves to the fastest model; the short decision, off the
// critical path, stays local; an op pinned to a configured model keeps it.
"skc.workflow"() ({
^bb0(%logs: !skc.text):
  %s = "llm.generate"(%logs) {prompt = "Write the incident report."} : (!skc.text) -> !skc.text
  %d = "llm.decide"(%logs) {outcomes = ["page", "wait"], prompt = "Page someone?"} : (!skc.text) -> !skc.text
  %p = "llm.decide"(%logs) {model = "big", outcomes = ["yes", "no"], prompt = "Is it a security issue?"} : (!skc.text) -> !skc.text
  "ctrl.return"(%s, %d, %p) : (!skc.text, !skc.text, !skc.text) -> ()
}) {arg_names = ["logs"], sym_name = "budget_placement"} : () -> ()
