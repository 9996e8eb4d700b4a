"skc.workflow"() ({
^bb0(%lagging: !skc.bool):
  "ctrl.if"(%lagging) ({
    %msg = "data.const"() {value = "escalate"} : () -> !skc.text
    "ctrl.return"(%msg) {status = "escalate"} : (!skc.text) -> ()
  }, {
    "ctrl.yield"() : () -> ()
  }) {level = 0 : i64} : (!skc.bool) -> ()
  %logs = "tool.sql"() {db = "pg", effects = ["read:db:pg"], level = 0 : i64, query = "SELECT * FROM pg_stat_replication"} : () -> !skc.text
  %restart = "tool.shell"() {argv = ["kubectl", "delete", "pod", "db-1"], effects = ["write:k8s"], level = 1 : i64} : () -> !skc.text
  %msg2 = "data.template"(%logs, %restart) {level = 2 : i64, template = "{0}\n{1}"} : (!skc.text, !skc.text) -> !skc.text
  "ctrl.return"(%msg2) : (!skc.text) -> ()
}) {arg_names = ["lagging"], sym_name = "early_exit"} : () -> ()
