"skc.workflow"() ({
^bb0(%host: !skc.text):
  %days = "tool.shell"(%host) {cmd = "echo | openssl s_client -connect {0}:443 2>/dev/null | openssl x509 -noout -enddate", effects = ["net:tls"]} : (!skc.text) -> !skc.text loc("skills/cert-check/SKILL.md":10:1)
  %date = "data.regex_extract"(%days) {group = 1 : i64, pattern = "notAfter=(.*)"} : (!skc.text) -> !skc.text loc("skills/cert-check/SKILL.md":12:1)
  "ctrl.return"(%date) : (!skc.text) -> ()
}) {arg_names = ["host"], description = "Report when a host's TLS certificate expires.", output_names = ["not_after"], permissions = ["Bash(openssl:*)"], source = "skills/cert-check/SKILL.md", sym_name = "cert_expiry"} : () -> () loc("skills/cert-check/SKILL.md":1:1)
"skc.workflow"() ({
^bb0(%hosts: !skc.json):
  %0 = "ctrl.map"(%hosts) ({
  ^bb0(%item: !skc.json):
    %host = "data.json_get"(%item) {path = "$"} : (!skc.json) -> !skc.text
    %1 = "tool.shell"(%host) {argv = ["dig", "+short", "{0}"], effects = ["net:dns"]} : (!skc.text) -> !skc.text
    "ctrl.yield"(%1) : (!skc.text) -> ()
  }) {max_parallel = 16 : i64} : (!skc.json) -> !skc.json
  "ctrl.return"(%0) : (!skc.json) -> ()
}) {arg_names = ["hosts"], sym_name = "resolve_all"} : () -> ()
"skc.workflow"() ({
  %0 = "data.const"() {value = "nothing to do"} : () -> !skc.text
  "ctrl.return"(%0) {status = "done"} : (!skc.text) -> ()
}) {sym_name = "noop"} : () -> ()
