// Inside regions: unused pure ops go; an if whose result nobody uses goes when
// both branches are pure, and stays when a branch writes; a map over pure work
// with an unused result goes too.
"skc.workflow"() ({
^bb0(%ok: !skc.bool, %items: !skc.json):
  %a = "ctrl.if"(%ok) ({
    %dead = "data.const"() {value = "unused"} : () -> !skc.text
    %x = "data.const"() {value = "yes"} : () -> !skc.text
    "ctrl.yield"(%x) : (!skc.text) -> ()
  }, {
    %y = "data.const"() {value = "no"} : () -> !skc.text
    "ctrl.yield"(%y) : (!skc.text) -> ()
  }) : (!skc.bool) -> !skc.text
  %b = "ctrl.if"(%ok) ({
    %w = "tool.file_write"(%items) {effects = ["write:fs:/tmp/items.json"], path = "/tmp/items.json"} : (!skc.json) -> !skc.token
    %dead2 = "data.count"(%items) : (!skc.json) -> !skc.num
    %t = "data.const"() {value = "written"} : () -> !skc.text
    "ctrl.yield"(%t) : (!skc.text) -> ()
  }, {
    %f = "data.const"() {value = "skipped"} : () -> !skc.text
    "ctrl.yield"(%f) : (!skc.text) -> ()
  }) : (!skc.bool) -> !skc.text
  %names = "ctrl.map"(%items) ({
  ^bb0(%item: !skc.json):
    %name = "data.json_get"(%item) {path = "$.name"} : (!skc.json) -> !skc.text
    "ctrl.yield"(%name) : (!skc.text) -> ()
  }) : (!skc.json) -> !skc.json
  %count = "data.count"(%items) : (!skc.json) -> !skc.num
  "ctrl.return"(%a, %count) : (!skc.text, !skc.num) -> ()
}) {arg_names = ["ok", "items"], sym_name = "dce_regions"} : () -> ()
