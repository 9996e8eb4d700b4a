"skc.workflow"() ({
^bb0(%node: !skc.text):
  %cordon:2 = "tool.shell"(%node) {argv = ["kubectl", "cordon", "{0}"], confirm = true, effects = ["write:k8s:node"], step = "Mitigation 1"} : (!skc.text) -> (!skc.text, !skc.token) loc("runbooks/NodeNotReady.md":30:1)
  %drain:2 = "tool.shell"(%node, %cordon#1) {argv = ["kubectl", "drain", "{0}", "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=300s"], confirm = true, effects = ["write:k8s:node", "write:k8s:pods"], step = "Mitigation 2", timeout_s = 330 : i64} : (!skc.text, !skc.token) -> (!skc.text, !skc.token) loc("runbooks/NodeNotReady.md":34:1)
  %log = "tool.file_write"(%drain#0, %drain#1) {append = true, effects = ["write:fs:/var/log/skc/"], path = "/var/log/skc/node-not-ready.log"} : (!skc.text, !skc.token) -> !skc.token loc("runbooks/NodeNotReady.md":38:1)
  %ok = "tool.python"(%drain#0) {code = "result = 'evicting' in args[0] or 'drained' in args[0]", effects = ["pure"]} : (!skc.text) -> !skc.bool
  %0 = "calc.not"(%ok) : (!skc.bool) -> !skc.bool
  %1 = "ctrl.if"(%0) ({
    %2 = "llm.agent"(%drain#0, %log) {effects = ["read:k8s", "write:*"], max_tokens = 16384 : i64, max_turns = 20 : i64, prompt = "The drain did not finish. Find the pods that block eviction (PodDisruptionBudgets, local storage) and report what you would do; do not delete anything.", timeout_s = 900.0 : f64, tools = ["Bash(kubectl get:*)", "Bash(kubectl describe:*)"]} : (!skc.text, !skc.token) -> !skc.text loc("runbooks/NodeNotReady.md":42:1)
    "ctrl.yield"(%2) : (!skc.text) -> ()
  }, {
    %3 = "data.const"() {value = "drained"} : () -> !skc.text
    "ctrl.yield"(%3) : (!skc.text) -> ()
  }) : (!skc.bool) -> !skc.text
  "ctrl.return"(%1) {status = "escalate"} : (!skc.text) -> () loc("runbooks/NodeNotReady.md":50:1)
}) {arg_names = ["node"], sym_name = "node_not_ready"} : () -> ()
