"skc.workflow"() ({
^bb0(%out: !skc.text, %doc: !skc.json):
  %0 = "data.const"() {value = "kube-system"} : () -> !skc.text
  %1 = "data.const"() {value = 90 : i64} : () -> !skc.num
  %2 = "data.const"() {value = 0.75 : f64} : () -> !skc.num
  %3 = "data.const"() {value = false} : () -> !skc.bool
  %4 = "data.const"() {value = {limits = {cpu = "500m", memory = "1Gi"}, replicas = 3 : i64, zones = ["eu-west-1a", "eu-west-1b"]}} : () -> !skc.json loc("runbooks/Capacity.md":4:1)
  %5 = "data.const"() {value = [[1 : i64, 2 : i64], [], [{}], [true, -4.0e-05 : f64]]} : () -> !skc.json
  %msg = "data.template"(%0, %1) {template = "namespace {0} is above {1}% of its quota"} : (!skc.text, !skc.num) -> !skc.text loc("runbooks/Capacity.md":12:5)
  %names = "data.json_get"(%doc) {path = "$.items[?(@.status.phase != 'Running')].metadata.name"} : (!skc.json) -> !skc.json<"{\"type\":\"array\",\"items\":{\"type\":\"string\"}}"> loc("runbooks/Capacity.md":15:5)
  %first = "data.json_get"(%4) {path = "$.zones[0]"} : (!skc.json) -> !skc.text
  %version = "data.regex_extract"(%out) {group = 1 : i64, pattern = "version=(\\S+)\\s+\\(build \"(\\d+)\"\\)"} : (!skc.text) -> !skc.text loc("runbooks/Capacity.md":20:5)
  %errors = "data.regex_extract"(%out) {all = true, pattern = "^E\\d{4} .*$"} : (!skc.text) -> !skc.json
  %joined = "data.concat"(%msg, %version, %first) {sep = "\n\t- "} : (!skc.text, !skc.text, !skc.text) -> !skc.text
  %list = "data.concat"(%names, %5) : (!skc.json<"{\"type\":\"array\",\"items\":{\"type\":\"string\"}}">, !skc.json) -> !skc.json
  %n = "data.count"(%names) : (!skc.json<"{\"type\":\"array\",\"items\":{\"type\":\"string\"}}">) -> !skc.num loc("runbooks/Capacity.md":24:5)
  %lines = "data.count"(%out) : (!skc.text) -> !skc.num
  "ctrl.return"(%joined, %list, %errors, %n, %lines, %2, %3) : (!skc.text, !skc.json, !skc.json, !skc.num, !skc.num, !skc.num, !skc.bool) -> ()
}) {arg_names = ["out", "doc"], sym_name = "data_ops"} : () -> ()
