"skc.workflow"() ({
^bb0(%cluster: !skc.text, %max_lag_s: !skc.num):
  %lag = "tool.sql"(%cluster) {db = "prometheus", effects = ["net:prometheus"], lang = "promql", query = "max(pg_replication_lag_seconds{cluster=\"{0}\"})", step = "Diagnosis 1"} : (!skc.text) -> !skc.num loc("runbooks/PostgresReplicationLag.md":14:1)
  %lagging = "calc.cmp"(%lag, %max_lag_s) {pred = "gt"} : (!skc.num, !skc.num) -> !skc.bool loc("runbooks/PostgresReplicationLag.md":16:1)
  %replicas = "tool.sql"() {db = "primary", effects = ["read:db:primary"], query = "SELECT application_name, state, sync_state, write_lag, replay_lag FROM pg_stat_replication"} : () -> !skc.table loc("runbooks/PostgresReplicationLag.md":20:1)
  %n = "data.count"(%replicas) : (!skc.table) -> !skc.num loc("runbooks/PostgresReplicationLag.md":22:1)
  %0 = "data.const"() {value = 0 : i64} : () -> !skc.num
  %none = "calc.cmp"(%n, %0) {pred = "eq"} : (!skc.num, !skc.num) -> !skc.bool
  %advice = "ctrl.if"(%lagging) ({
    %per_replica = "ctrl.map"(%replicas) ({
    ^bb0(%row: !skc.table):
      %1 = "data.json_get"(%row) {path = "$.replay_lag"} : (!skc.table) -> !skc.text
      %2 = "data.json_get"(%row) {path = "$.application_name"} : (!skc.table) -> !skc.text
      %3 = "data.template"(%2, %1) {template = "{0}: replay lag {1}"} : (!skc.text, !skc.text) -> !skc.text
      "ctrl.yield"(%3) : (!skc.text) -> ()
    }) {max_parallel = 4 : i64} : (!skc.table) -> !skc.json loc("runbooks/PostgresReplicationLag.md":26:1)
    %wal = "tool.shell"(%cluster) {cmd = "patronictl -c /etc/patroni.yml list {0} | grep -E 'Replica|Leader'", effects = ["read:patroni"], timeout_s = 20 : i64} : (!skc.text) -> !skc.text loc("runbooks/PostgresReplicationLag.md":31:1)
    %cause = "llm.decide"(%per_replica, %wal) {outcomes = ["network", "long-running-query", "disk-io", "wal-sender-stuck", "unknown"], prompt = "Given the replication state and the Patroni listing, what is the most likely cause of the lag?"} : (!skc.json, !skc.text) -> !skc.text loc("runbooks/PostgresReplicationLag.md":35:1)
    %4 = "llm.generate"(%cause, %per_replica) {prompt = "Write the mitigation steps for this cause, as a numbered list.", system = "Only suggest steps from the runbook's Mitigation section."} : (!skc.text, !skc.json) -> !skc.text loc("runbooks/PostgresReplicationLag.md":40:1)
    "ctrl.yield"(%4) : (!skc.text) -> ()
  }, {
    %5 = "ctrl.if"(%none) ({
      %6 = "data.const"() {value = "no replicas are connected: the cluster runs without a standby"} : () -> !skc.text
      "ctrl.yield"(%6) : (!skc.text) -> ()
    }, {
      %7 = "data.template"(%lag) {template = "replication lag {0}s is within bounds"} : (!skc.num) -> !skc.text
      "ctrl.yield"(%7) : (!skc.text) -> ()
    }) : (!skc.bool) -> !skc.text
    "ctrl.yield"(%5) : (!skc.text) -> ()
  }) {step = "If the lag is above the threshold"} : (!skc.bool) -> !skc.text loc("runbooks/PostgresReplicationLag.md":24:1)
  "ctrl.return"(%advice, %lag) : (!skc.text, !skc.num) -> ()
}) {arg_names = ["cluster", "max_lag_s"], output_names = ["advice", "lag_s"], source = "runbooks/PostgresReplicationLag.md", sym_name = "postgres_replication_lag"} : () -> () loc("runbooks/PostgresReplicationLag.md":1:1)
