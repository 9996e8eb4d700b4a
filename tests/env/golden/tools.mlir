// Scripts (found, missing, outside the skill), data sources, HTTP hosts, python env vars, agent tools.
"skc.workflow"() ({
^bb0(%id: !skc.text):
  %0 = "tool.script"(%id) {args = ["{0}"], effects = ["write:*"], path = "scripts/rotate.sh"} : (!skc.text) -> !skc.text loc("skill/SKILL.md":5:1)
  %1 = "tool.script"() {effects = ["read:*"], path = "scripts/report.py"} : () -> !skc.text loc("skill/SKILL.md":5:20)
  %2 = "tool.script"() {effects = ["read:*"], path = "scripts/missing.sh"} : () -> !skc.text loc("skill/SKILL.md":7:1)
  %3 = "tool.script"() {effects = ["read:*"], path = "../outside.sh"} : () -> !skc.text loc("skill/SKILL.md":8:1)
  %4 = "tool.sql"(%id) {effects = ["read:db:default"], query = "SELECT * FROM incidents WHERE id = {0}"} : (!skc.text) -> !skc.table loc("skill/SKILL.md":10:1)
  %5 = "tool.sql"() {db = "deploys", effects = ["read:db:deploys"], query = "SELECT 1"} : () -> !skc.table loc("skill/SKILL.md":11:1)
  %6 = "tool.sql"() {db = "incidents", effects = ["read:db:incidents"], lang = "promql", query = "up"} : () -> !skc.table loc("skill/SKILL.md":12:1)
  %7 = "tool.sql"() {db = "metrics", effects = ["read:db:metrics"], lang = "promql", query = "up == 0"} : () -> !skc.table loc("skill/SKILL.md":13:1)
  %8 = "tool.http"() {effects = ["net:http"], url = "http://prometheus:9090/-/healthy"} : () -> !skc.text loc("skill/SKILL.md":15:1)
  %9 = "tool.http"() {effects = ["net:http"], url = "https://api.github.com/repos"} : () -> !skc.text loc("skill/SKILL.md":16:1)
  %10 = "tool.python"() {code = "import os\nresult = os.environ['NAMESPACE'] + os.getenv('REGION')", effects = ["pure"]} : () -> !skc.text loc("skill/SKILL.md":18:1)
  %11 = "llm.agent"(%id) {effects = ["write:*"], max_tokens = 4096 : i64, max_turns = 8 : i64, prompt = "Fix it.", tools = ["Bash(git:*)", "Read"]} : (!skc.text) -> !skc.text loc("skill/SKILL.md":20:1)
  "ctrl.return"(%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11) : (!skc.text, !skc.text, !skc.text, !skc.text, !skc.table, !skc.table, !skc.table, !skc.table, !skc.text, !skc.text, !skc.text, !skc.text) -> ()
}) {arg_names = ["id"], source = "skill/SKILL.md", sym_name = "tool_needs"} : () -> ()
