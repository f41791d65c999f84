"""Prints the figures as tables, ending with the budget lines."""
KB = 1024


def _ms(value) -> str:
    return "-" if value is None else f"{value:.2f}" if value < 10 else f"{value:.1f}"


def _kb(value) -> str:
    return "-" if value is None else f"{value / KB:.1f}"


def _not_measured(figure) -> str | None:
    return figure.get("not_measured") if isinstance(figure, dict) else None


def section(title: str) -> None:
    print(f"\n== {title} ==")


def machine(figures) -> None:
    m = figures["machine"]
    print(f"Sésame benchmark, {m['date']}")
    print(f"Machine: {m['cores']} cores, {m['cpu']}, {m['memory_gib']:.0f} GiB; Python {m['python']}; "
          f"load average {m['load_before']:.2f} at start, {m['load_after']:.2f} at end")
    print(f"Database: {figures['settings']['database']}; {figures['settings']['schema']}")


def steps(figures) -> None:
    section("Server time per request, ms (full pages; '(swap)': the same GET from htmx)")
    inproc = figures["steps"].get("in_process", {})
    served = figures["steps"].get("gunicorn", {})
    print(f"{'':34} {'in-process (wall, then CPU)':^34} {'gunicorn -w 2, loopback':^16}")
    print(f"{'request':34} {'p50':>7} {'p95':>7} {'cpu p50':>8} {'cpu p95':>8}  {'p50':>7} {'p95':>7}")
    labels = list(inproc.get("requests", {})) + [lb for lb in served.get("requests", {})
                                                 if lb not in inproc.get("requests", {})]
    altcha = figures.get("captcha_altcha", {})
    for label in labels + ["GET altcha challenge", "POST captcha (ALTCHA)"]:
        a = inproc.get("requests", {}).get(label) or altcha.get("in_process", {}).get(label) or {}
        b = served.get("requests", {}).get(label) or altcha.get("gunicorn", {}).get(label) or {}
        cpu = a.get("cpu", {})
        print(f"{label:34} {_ms(a.get('p50')):>7} {_ms(a.get('p95')):>7} {_ms(cpu.get('p50')):>8} "
              f"{_ms(cpu.get('p95')):>8}  {_ms(b.get('p50')):>7} {_ms(b.get('p95')):>7}")
    for name, result in (("in-process", inproc), ("gunicorn", served)):
        if result:
            walked = " > ".join(result["reached"]) + (f" > {result['end']}" if result.get("end") else "")
            print(f"{name}: {result['journeys']} journeys walked: {walked}")
            if result.get("stopped"):
                print(f"  the walk stopped: {result['stopped']}")
    hashing = figures["password_hash"]
    if _not_measured(hashing):
        print(f"Password hash: not measured yet: {_not_measured(hashing)}")
    else:
        print(f"Password hash (argon2id, time_cost {hashing['time_cost']}, {hashing['memory_kib'] // 1024} MiB, "
              f"{hashing['parallelism']} lane): hash p50 {_ms(hashing['hash_ms']['p50'])} ms, "
              f"p95 {_ms(hashing['hash_ms']['p95'])} ms; verify p50 {_ms(hashing['verify_ms']['p50'])} ms. "
              "The step times above use a 64 KiB, 1-pass hash: add this to the credentials POST.")
    if altcha.get("in_process", {}).get("solve_s_in_python"):
        print(f"ALTCHA: cost {altcha['cost']}; solving one in Python took "
              f"{altcha['in_process']['solve_s_in_python']:.2f} s (the browser's part, not timed above)")


def sizes(figures) -> None:
    section("Bytes of HTML, body as served (KB)")
    print(f"{'':44} {'raw':>7} {'gzip':>7} {'br':>7}")
    for kind in ("pages", "swaps"):
        for name, s in figures["bytes"][kind].items():
            print(f"{kind[:-1] + ': ' + name:44} {_kb(s['raw']):>7} {_kb(s['gzip']):>7} {_kb(s['br']):>7}")
    if figures["bytes"].get("stopped"):
        print(f"  (the walk stopped: {figures['bytes']['stopped']})")


def first_page(figures) -> None:
    section("First page, everything it loads (KB on the wire, headers included)")
    for page, visits in figures.get("first_page", {}).items():
        first, second = visits["first"], visits["second"]
        print(f"{page}: first visit {_kb(first['total_bytes'])} KB in {first['total_requests']} requests "
              f"(+ {_kb(first['on_use_bytes'])} KB when used); second visit {_kb(second['total_bytes'])} KB "
              f"in {second['total_requests']} requests")
        for r in first["requests"]:
            print(f"    {r['why']:8} {r['status']!s:>5} {r['encoding']:>8} {_kb(r['bytes']):>6} KB "
                  f"(raw {_kb(r['raw_bytes']):>6})  {r['url'][:70]}  [{r['cache_control']}]")
        for r in second["requests"]:
            if r["status"] != "cache":
                print(f"    again:   {r['status']!s:>5} {_kb(r['bytes']):>6} KB  {r['url'][:70]}")
    origin = figures.get("origin", {})
    if origin:
        print(f"Origin: {origin['documents']} documents checked; fetched from elsewhere: "
              f"{origin['fetched_elsewhere'] or 'nothing'}; links to other sites (not loaded): "
              f"{len(origin['links_to_other_sites'])}")


def _served_cpu(p) -> str:
    text = f"; the workers' CPU {p['server_cpu_ms_per_request']:.2f} ms per poll" \
        if p.get("server_cpu_ms_per_request") else ""
    return text + (f"; load average {p['load_average'][0]:.1f} -> {p['load_average'][1]:.1f}"
                   if p.get("load_average") else "")


def polls(figures) -> None:
    section("Polled fragments")
    for name, p in figures.get("polls", {}).items():
        if _not_measured(p):
            print(f"{name}: not measured: {_not_measured(p)}")
        elif "latency_ms" in p:
            print(f"{name}: {p['people']} people every {p['every_s']:g} s ({p['rate_per_s']:.0f}/s, "
                  f"{p['requests']} requests): p50 {_ms(p['latency_ms']['p50'])} ms, "
                  f"p95 {_ms(p['latency_ms']['p95'])} ms, late p95 {_ms(p['late_ms']['p95'])} ms, "
                  f"failures {p['failures'] or 'none'}" + _served_cpu(p))
        else:
            print(f"{name}: p50 {_ms(p['p50'])} ms, p95 {_ms(p['p95'])} ms (cpu p50 {_ms(p['cpu']['p50'])}), "
                  f"{p['writes_per_poll']:g} database writes per poll")
    status = figures["eligibility_status"]
    if _not_measured(status):
        print(f"eligibility status: not measured: {_not_measured(status)}")
        return
    p = status.get("in_process") or {}
    if _not_measured(p):
        print(f"eligibility status, in-process: not measured: {_not_measured(p)}")
    elif p:
        print(f"eligibility status, in-process ({p['n']} polls of a check in progress): p50 {_ms(p['p50'])} ms, "
              f"p95 {_ms(p['p95'])} ms (cpu p50 {_ms(p['cpu']['p50'])}, p95 {_ms(p['cpu']['p95'])}), "
              f"{p['writes_per_poll']:g} database writes per poll, {_kb(p['bytes'])} KB")
    p = status.get("gunicorn") or {}
    if "latency_ms" in p:
        print(f"eligibility status, {p['people']} people each polling their own every {p['every_s']:g} s "
              f"({p['rate_per_s']:.0f}/s, {p['requests']} requests): p50 {_ms(p['latency_ms']['p50'])} ms, "
              f"p95 {_ms(p['latency_ms']['p95'])} ms, late p95 {_ms(p['late_ms']['p95'])} ms, "
              f"failures {p['failures'] or 'none'}" + _served_cpu(p)
              + ({True: "; the database WAS written meanwhile", False: "; nothing written to the database "
                  "meanwhile (SQLite's data_version)"}.get(p.get("database_written"), "")))


def load(figures) -> None:
    section("Signups through gunicorn -w 2")
    for name, s in figures.get("signups", {}).items():
        if _not_measured(s):
            print(f"{name}: not measured yet: {_not_measured(s)}")
            continue
        print(f"{name}: {s['completed']} complete signups (through eligibility) in {s['seconds']:.1f} s "
              f"= {s['per_second']:.1f}/s "
              f"with {s['concurrency']} people at once; journey p50 {s['journey_s']['p50'] or 0:.2f} s; "
              f"request p95 {_ms(s['request_ms']['p95'])} ms; the bench's own CPU {s['client_cpu_s']:.1f} s"
              + (f"; the workers' CPU {s['server_cpu_ms_per_signup']:.0f} ms per signup"
                 if s.get("server_cpu_ms_per_signup") else "")
              + (f"; load average {s['load_average'][0]:.1f} -> {s['load_average'][1]:.1f}" if s.get("load_average")
                 else ""))
        for reason, count in s["stopped"].items():
            print(f"  {count} walks stopped: {reason}")
    floor_and_signups(figures)
    for name, reason in figures.get("pending", {}).items():
        if reason:  # a part of the journey the walks do not go through
            print(f"{name}: not measured yet: {_not_measured(reason)}")


def floor_and_signups(figures) -> None:
    """Issue 19's two figures: the floor, and the CPU per signup to the activated account."""
    floor, run = figures.get("floor"), figures.get("signup_cpu")
    if floor:
        print(f"floor: a bare Flask hello-world through the same gunicorn -w 2 and client, {floor['requests']} "
              f"requests: the workers' CPU {floor['server_cpu_ms_per_request']:.2f} ms per request; p50 "
              f"{_ms(floor['latency_ms']['p50'])} ms, p95 {_ms(floor['latency_ms']['p95'])} ms; failures "
              f"{floor['failures'] or 'none'}")
    if run and run.get("server_cpu_ms_per_signup"):
        print(f"signups to the activated account (issue 19), 64 KiB hash: {run['completed']} in "
              f"{run['seconds']:.1f} s = {run['per_second']:.1f}/s with {run['concurrency']} people at once, "
              f"{run['requests_per_signup']:.0f} requests each; the workers' CPU "
              f"{run['server_cpu_ms_per_signup']:.1f} ms per signup; load average {run['load_average'][0]:.1f} -> "
              f"{run['load_average'][1]:.1f}")
        for reason, count in run["stopped"].items():
            print(f"  {count} walks stopped: {reason}")


def checks(figures) -> None:
    section("Eligibility checks started at once, insurer stand-in answering in 1 s")
    for runner, r in figures["eligibility_checks"].items():
        if _not_measured(r):
            print(f"{runner}: not measured: {_not_measured(r)}")
        elif "eligible" in r:
            print(f"{runner}: {r['checks']} requests sent at once, all answered after "
                  f"{r['seconds']:.2f} s (the floor under the figures above)")
        else:
            done = (f"all {r['checks']} done in {r['seconds']:.1f} s" if r["all_done"] else
                    f"{r['finished']} of {r['checks']} done after {r['seconds']:.1f} s (stopped there)")
            after = r["finished_after_s"]
            rate = f"{r['per_second']:.1f} checks/s" if r.get("per_second") else "no rate"
            print(f"{runner}: {done}; each finished after p50 {after['p50'] or 0:.1f} s, p95 {after['p95'] or 0:.1f} s;"
                  f" {rate}" + (f"; all {r['checks']} would take about {r['projected_s']:.0f} s"
                                if r.get("projected_s") else ""))
            print(f"    {r['how']}; statuses {r['statuses']}; insurer asked {r['insurer_answered']} times; "
                  f"load average {r['load_average'][0]:.1f} -> {r['load_average'][1]:.1f}"
                  + (f"; the {r['checks']} POSTs answered in {r['posts_s']:.1f} s (p95 {_ms(r['post_ms']['p95'])} ms)"
                     if "posts_s" in r else ""))
            if (r.get("job_s") or {}).get("n"):
                print(f"    each check's job in its worker (RQ's started_at to ended_at): p50 "
                      f"{r['job_s']['p50']:.2f} s, max {r['job_s']['max']:.2f} s, for an insurer answering in 1 s")
            if r.get("worker_rss_mib"):
                print(f"    each worker {r['worker_rss_mib']:.0f} MiB (VmRSS, the largest); warm-up before the clock "
                      f"{r['warm_up_s']:.1f} s (each worker ran one job first)")
            if r.get("worker_errors"):
                print(f"    the workers logged:\n{r['worker_errors'][-1500:]}")


def memory(figures) -> None:
    section("Memory and start-up")
    m = figures.get("memory", {})
    if m:
        print(f"one gunicorn worker (VmRSS from /proc/<pid>/status): {m['rss_start_mib']:.1f} MiB after start, "
              f"{m['rss_after_mib']:.1f} MiB after {m['journeys']} journeys (largest worker); "
              f"peak with the real hash (VmHWM): {m.get('peak_real_hash_mib') or 0:.1f} MiB")
    run = figures.get("signup_cpu") or {}
    if "memory_after_mib" in run:
        print(f"after {run['completed']} signups (captcha to activated account): {run['memory_after_mib']:.1f} MiB "
              "(largest worker)")
    s = figures.get("startup", {})
    if s:
        print(f"start-up: gunicorn -w 2 to the first 200 on /healthz {s['gunicorn_s']:.2f} s; one Python "
              f"process, import to the first 200 (in-process) {s['process_s']:.2f} s")


def budget(figures) -> None:
    for log in figures.get("server_errors", []):
        print(f"\ngunicorn logged (warnings and errors):\n{log[-1500:]}")
    section("Budget")
    for line in figures["budget"]:
        print(f"{line['status']:>12}  {line['budget']}\n{'':14}{line['figure']}")
    section("Target of issue 19 (CPU per signup)")
    for line in figures.get("target_19", []):
        print(f"{line['status']:>12}  {line['budget']}\n{'':14}{line['figure']}")


def capacity(figures) -> None:
    section("Capacity model (issue 19; bench/capacity.py)")
    found = figures.get("capacity") or {}
    if _not_measured(found) or not found:
        print(f"not measured: {_not_measured(found) or 'no figures'}")
        return
    c, n = found["check"], found["launch"]
    print(f"check on this machine: a signup predicted {c['predicted_ms_per_signup']:.1f} ms of the workers' CPU "
          f"(the app's own {c['app_ms']:.1f} ms in-process + the floor {c['floor_ms']:.1f} ms), measured "
          f"{c['measured_ms_per_signup']:.1f} ms: {100 * c['error']:+.0f} %"
          + (f"; a status poll predicted {c['poll_predicted_ms']:.2f} ms, measured {c['poll_measured_ms']:.2f} ms: "
             f"{100 * c['poll_error']:+.0f} %" if "poll_error" in c else ""))
    db = figures.get("database") or {}
    if db.get("per_journey"):
        print(f"one whole journey (through eligibility, {db['requests_per_journey']:.0f} requests, jobs included): "
              + ", ".join(f"{k} {v:.1f}" for k, v in sorted(db["per_journey"].items()))
              + "; messages " + ", ".join(f"{k} {v:.1f}" for k, v in db["messages_per_journey"].items()))
    print(f"launch (100 signups/s at peak, 5,000 pollers every 2 s): web {n['web_cores_busy']:.1f} cores busy "
          f"(journey {n['journey_ms']:.0f} ms + hash {n['hash_ms']:.0f} ms per signup, poll "
          f"{n['poll_ms'] or 0:.2f} ms), so {n['web_cores']} cores at 60 %; {n['checks_in_flight']:.0f} checks in "
          f"flight, {n['job_processes']} job processes of 64 threads; database {n['db_writes_per_s']:.0f} writes/s "
          f"({n['db_rows_written_per_s']:.0f} rows), {n['db_commits_per_s']:.0f} commits/s, {n['db_reads_per_s']:.0f} "
          f"reads/s; {n['mails_per_s']:.0f} mails/s, {n['sms_per_s']:.0f} SMS/s ({n['mails_per_day']:,.0f} mails and "
          f"{n['sms_per_day']:,.0f} SMS a day)")


def print_all(figures) -> None:
    machine(figures)
    steps(figures)
    sizes(figures)
    first_page(figures)
    polls(figures)
    load(figures)
    checks(figures)
    memory(figures)
    capacity(figures)
    budget(figures)
