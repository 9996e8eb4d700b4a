// "If the replica lags, stop and escalate": the restart (a write) waits for the
// check that may end the runbook; the replication query (a read) need not wait.
"skc.workflow"() ({
^bb0(%lagging: !skc.bool):
  "ctrl.if"(%lagging) ({
    %msg = "data.const"() {value = "escalate"} : () -> !skc.text
    "ctrl.return"(%msg) {status = "escalate"} : (!skc.text) -> ()
  }, {
    "ctrl.yield"() : () -> ()
  }) : (!skc.bool) -> ()
  %logs = "tool.sql"() {db = "pg", effects = ["read:db:pg"], query = "SELECT * FROM pg_stat_replication"} : () -> !skc.text
  %restart = "tool.shell"() {argv = ["kubectl", "delete", "pod", "db-1"], effects = ["write:k8s"]} : () -> !skc.text
  %msg2 = "data.template"(%logs, %restart) {template = "{0}\n{1}"} : (!skc.text, !skc.text) -> !skc.text
  "ctrl.return"(%msg2) : (!skc.text) -> ()
}) {arg_names = ["lagging"], sym_name = "early_exit"} : () -> ()
