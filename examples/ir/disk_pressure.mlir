"skc.workflow"() ({
^bb0(%node: !skc.text, %threshold_pct: !skc.num):
  %df = "tool.shell"(%node) {cmd = "ssh {0} df --output=target,pcent -x tmpfs -x overlay | tail -n +2", effects = ["net:ssh", "read:node"], step = "Diagnosis 1", timeout_s = 15 : i64} : (!skc.text) -> !skc.table loc("runbooks/NodeDiskPressure.md":11:1)
  %mounts = "tool.python"(%df) {code = "result = [{\"mount\": m, \"pct\": int(p.rstrip('%'))} for m, p in (line.split() for line in args[0].splitlines())]", effects = ["pure"]} : (!skc.table) -> !skc.json loc("runbooks/NodeDiskPressure.md":13:1)
  %full = "data.json_get"(%mounts) {path = "$[?(@.pct >= 85)]"} : (!skc.json) -> !skc.json<"{\"type\":\"array\"}"> loc("runbooks/NodeDiskPressure.md":15:1)
  %n = "data.count"(%full) : (!skc.json<"{\"type\":\"array\"}">) -> !skc.num loc("runbooks/NodeDiskPressure.md":15:1)
  %0 = "data.const"() {value = 0 : i64} : () -> !skc.num
  %any = "calc.cmp"(%n, %0) {pred = "gt"} : (!skc.num, !skc.num) -> !skc.bool loc("runbooks/NodeDiskPressure.md":17:1)
  %report = "ctrl.if"(%any) ({
    %top = "ctrl.map"(%full) ({
    ^bb0(%mount: !skc.json):
      %path = "data.json_get"(%mount) {path = "$.mount"} : (!skc.json) -> !skc.text
      %du = "tool.shell"(%node, %path) {cmd = "ssh {0} 'sudo du -xh --max-depth=2 {1} 2>/dev/null | sort -rh | head -n 10'", effects = ["net:ssh", "read:node"], timeout_s = 120 : i64} : (!skc.text, !skc.text) -> !skc.text loc("runbooks/NodeDiskPressure.md":21:3)
      "ctrl.yield"(%du) : (!skc.text) -> ()
    }) {max_parallel = 4 : i64, step = "For each mount above 85%"} : (!skc.json<"{\"type\":\"array\"}">) -> !skc.json loc("runbooks/NodeDiskPressure.md":19:1)
    %journal:2 = "tool.shell"(%node) {argv = ["ssh", "{0}", "sudo", "journalctl", "--vacuum-size=500M"], confirm = true, effects = ["net:ssh", "write:node:journal"], step = "Mitigation 1"} : (!skc.text) -> (!skc.text, !skc.token) loc("runbooks/NodeDiskPressure.md":27:1)
    %images = "tool.shell"(%node, %journal#1) {argv = ["ssh", "{0}", "sudo", "crictl", "rmi", "--prune"], confirm = true, effects = ["net:ssh", "write:node:images"], step = "Mitigation 2"} : (!skc.text, !skc.token) -> !skc.text loc("runbooks/NodeDiskPressure.md":31:1)
    %1 = "llm.generate"(%top, %journal#0, %images) {max_tokens = 400 : i64, prompt = "Summarise what filled the disks and what was cleaned up, for the incident channel."} : (!skc.json, !skc.text, !skc.text) -> !skc.text loc("runbooks/NodeDiskPressure.md":36:1)
    "ctrl.yield"(%1) : (!skc.text) -> ()
  }, {
    %2 = "data.template"(%node, %threshold_pct) {template = "{0}: every filesystem is below {1}%"} : (!skc.text, !skc.num) -> !skc.text
    "ctrl.yield"(%2) : (!skc.text) -> ()
  }) {step = "If any filesystem is above the threshold"} : (!skc.bool) -> !skc.text loc("runbooks/NodeDiskPressure.md":17:1)
  "ctrl.return"(%report) : (!skc.text) -> ()
}) {arg_names = ["node", "threshold_pct"], output_names = ["report"], source = "runbooks/NodeDiskPressure.md", sym_name = "node_disk_pressure"} : () -> () loc("runbooks/NodeDiskPressure.md":1:1)
