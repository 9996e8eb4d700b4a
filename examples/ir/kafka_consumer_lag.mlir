"skc.workflow"() ({
^bb0(%group: !skc.text, %max_lag: !skc.num):
  %lag = "tool.sql"(%group) {db = "prometheus", effects = ["net:prometheus"], lang = "promql", query = "sum by (topic) (kafka_consumergroup_lag{consumergroup=\"{0}\"})", step = "Diagnosis 1"} : (!skc.text) -> !skc.table loc("runbooks/KafkaConsumerLag.md":9:1)
  %topics = "data.json_get"(%lag) {path = "$[?(@.value > 0)]"} : (!skc.table) -> !skc.json loc("runbooks/KafkaConsumerLag.md":10:1)
  %total = "tool.python"(%lag) {code = "result = sum(float(r['value']) for r in args[0])", effects = ["pure"]} : (!skc.table) -> !skc.num loc("runbooks/KafkaConsumerLag.md":11:1)
  %behind = "calc.cmp"(%total, %max_lag) {pred = "gt"} : (!skc.num, !skc.num) -> !skc.bool loc("runbooks/KafkaConsumerLag.md":13:1)
  %members = "ctrl.retry"(%group) ({
    %0 = "tool.shell"(%group) {argv = ["kafka-consumer-groups.sh", "--bootstrap-server", "localhost:9092", "--describe", "--members", "--group", "{0}"], effects = ["net:kafka"], timeout_s = 30 : i64} : (!skc.text) -> !skc.text loc("runbooks/KafkaConsumerLag.md":17:3)
    "ctrl.yield"(%0) : (!skc.text) -> ()
  }) {backoff_s = 2.0 : f64, max_attempts = 3 : i64} : (!skc.text) -> !skc.text loc("runbooks/KafkaConsumerLag.md":16:1)
  %action = "ctrl.if"(%behind) ({
    %1 = "llm.decide"(%topics, %members) {outcomes = ["scale-consumers", "restart-stuck-consumer", "wait"], prompt = "Consumers are behind. Given the per-topic lag and the group members, what should we do?"} : (!skc.json, !skc.text) -> !skc.text loc("runbooks/KafkaConsumerLag.md":21:1)
    "ctrl.yield"(%1) : (!skc.text) -> ()
  }, {
    %2 = "data.const"() {value = "wait"} : () -> !skc.text
    "ctrl.yield"(%2) : (!skc.text) -> ()
  }) : (!skc.bool) -> !skc.text loc("runbooks/KafkaConsumerLag.md":20:1)
  "ctrl.return"(%action, %total) : (!skc.text, !skc.num) -> ()
}) {arg_names = ["group", "max_lag"], output_names = ["action", "total_lag"], source = "runbooks/KafkaConsumerLag.md", sym_name = "kafka_consumer_lag"} : () -> () loc("runbooks/KafkaConsumerLag.md":1:1)
