// Extraction is constrained to its JSON Schema; a numbered prompt is split into one op per
// step; a recorded worked example closes a one-level analysis gap; a step with no gap is
// left alone; a gap nothing closes is reported.
// OPTIONS: {"profile": "profiles/weak.json", "examples": {"skills/triage/SKILL.md:12": [{"input": "disk 97% full on node-3", "output": "disk"}]}}
"skc.workflow"() ({
^bb0(%pods: !skc.table, %events: !skc.text):
  %owner = "llm.extract"(%events) {prompt = "Which team owns the failing service?", schema = "{\"type\":\"object\",\"properties\":{\"team\":{\"type\":\"string\"}},\"required\":[\"team\"]}"} : (!skc.text) -> !skc.json loc("skills/triage/SKILL.md":8:1)
  %plan = "llm.generate"(%pods) {prompt = "Triage: 1. List the failing pods. 2. Group them by node. 3. Write one line per node.", temperature = 0.0 : f64} : (!skc.table) -> !skc.text loc("skills/triage/SKILL.md":10:1)
  %cause = "llm.decide"(%events, %plan) {outcomes = ["disk", "memory", "network", "config"], prompt = "What is the root cause?"} : (!skc.text, !skc.text) -> !skc.text loc("skills/triage/SKILL.md":12:1)
  %note = "llm.generate"(%cause) {prompt = "Say thanks."} : (!skc.text) -> !skc.text loc("skills/triage/SKILL.md":14:1)
  %sql = "llm.generate"(%pods) {prompt = "Write an SQL query that counts the pods per node."} : (!skc.table) -> !skc.text loc("skills/triage/SKILL.md":16:1)
  "ctrl.return"(%owner, %cause, %note, %sql) : (!skc.json, !skc.text, !skc.text, !skc.text) -> ()
}) {arg_names = ["pods", "events"], sym_name = "triage"} : () -> ()
