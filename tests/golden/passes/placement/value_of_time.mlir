// RUN: placement{usd_per_hour=0.36}
// OPTIONS: {"models": {"fast": {"tokens_per_s": 200, "overhead_s": 0.3, "usd_per_mtok_in": 0.5, "usd_per_mtok_out": 1.5}}}
// Waiting is priced at $0.36/hour: the long generation (about 9 s faster remote)
// is worth the fast model's price; the one-word decision (about 0.6 s faster)
// is not, so it stays on the free local model.
"skc.workflow"() ({
^bb0(%logs: !skc.text):
  %s = "llm.generate"(%logs) {prompt = "Write the incident report."} : (!skc.text) -> !skc.text
  %d = "llm.decide"(%logs) {outcomes = ["page", "wait"], prompt = "Page someone?"} : (!skc.text) -> !skc.text
  "ctrl.return"(%s, %d) : (!skc.text, !skc.text) -> ()
}) {arg_names = ["logs"], sym_name = "value_of_time"} : () -> ()
