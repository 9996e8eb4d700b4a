"skc.workflow"() ({
^bb0(%pods: !skc.table, %events: !skc.text):
  %owner = "llm.extract"(%events) {constrain = "json_schema", prompt = "Which team owns the failing service?", schema = "{\"type\":\"object\",\"properties\":{\"team\":{\"type\":\"string\"}},\"required\":[\"team\"]}"} : (!skc.text) -> !skc.json loc("skills/triage/SKILL.md":8:1)
  %0 = "llm.generate"(%pods) {prompt = "Triage:\nStep 1 of 3: List the failing pods.", temperature = 0.0 : f64} : (!skc.table) -> !skc.text loc("skills/triage/SKILL.md":10:1)
  %1 = "llm.generate"(%pods, %0) {prompt = "Triage:\nStep 2 of 3: Group them by node.", temperature = 0.0 : f64} : (!skc.table, !skc.text) -> !skc.text loc("skills/triage/SKILL.md":10:1)
  %plan = "llm.generate"(%pods, %1) {prompt = "Triage:\nStep 3 of 3: Write one line per node.", temperature = 0.0 : f64} : (!skc.table, !skc.text) -> !skc.text loc("skills/triage/SKILL.md":10:1)
  %cause = "llm.decide"(%events, %plan) {constrain = "grammar", examples = [{input = "disk 97% full on node-3", output = "disk"}], outcomes = ["disk", "memory", "network", "config"], prompt = "What is the root cause?"} : (!skc.text, !skc.text) -> !skc.text loc("skills/triage/SKILL.md":12:1)
  %note = "llm.generate"(%cause) {prompt = "Say thanks."} : (!skc.text) -> !skc.text loc("skills/triage/SKILL.md":14:1)
  %sql = "llm.generate"(%pods) {prompt = "Write an SQL query that counts the pods per node."} : (!skc.table) -> !skc.text loc("skills/triage/SKILL.md":16:1)
  "ctrl.return"(%owner, %cause, %note, %sql) : (!skc.json, !skc.text, !skc.text, !skc.text) -> ()
}) {arg_names = ["pods", "events"], sym_name = "triage"} : () -> ()
