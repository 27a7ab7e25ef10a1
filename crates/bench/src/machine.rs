//! What the figures were measured on.

pub fn describe() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let mem_kib: u64 = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0);
    format!("{cpu}, {cores} cores, {:.0} GiB RAM", mem_kib as f64 / 1024.0 / 1024.0)
}

/// Peak resident memory of a process (VmHWM), in MiB.
pub fn peak_rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kib: f64 = status.lines().find(|l| l.starts_with("VmHWM:"))?.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Current resident memory of a process (VmRSS), in MiB.
pub fn rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kib: f64 = status.lines().find(|l| l.starts_with("VmRSS:"))?.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// The CPU time (user + system) of a process and of its reaped children, in
/// ms, from `/proc/<pid>/stat` (in ticks of 1/100 s: Linux's USER_HZ).
fn cpu_of_stat(stat: &str) -> Option<f64> {
    // The command name is in parentheses and may hold spaces: count after it.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11..15)?.iter().filter_map(|f| f.parse::<f64>().ok()).sum();
    Some(ticks * 10.0)
}

/// The CPU time a process has used so far, in ms.
pub fn cpu_ms(pid: u32) -> Option<f64> {
    cpu_of_stat(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

/// The CPU time every PostgreSQL server process on this machine has used so
/// far, in ms: the backends, the background processes, and (through the
/// postmaster's reaped children) the backends that have exited.
pub fn postgres_cpu_ms() -> f64 {
    let Ok(dir) = std::fs::read_dir("/proc") else { return 0.0 };
    dir.filter_map(Result::ok)
        .filter_map(|e| std::fs::read_to_string(e.path().join("stat")).ok())
        .filter(|stat| {
            stat.split_once('(').and_then(|(_, rest)| rest.split_once(')')).is_some_and(|(c, _)| c == "postgres")
        })
        .filter_map(|stat| cpu_of_stat(&stat))
        .sum()
}

/// CPU spent by the gateway, PostgreSQL and the load generator (this process)
/// between two readings.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cpu {
    pub gateway_ms: f64,
    pub postgres_ms: f64,
    pub client_ms: f64,
}

impl Cpu {
    pub fn read(gateway: u32) -> Cpu {
        Cpu {
            gateway_ms: cpu_ms(gateway).unwrap_or(0.0),
            postgres_ms: postgres_cpu_ms(),
            client_ms: cpu_ms(std::process::id()).unwrap_or(0.0),
        }
    }

    /// What was spent since `before`, per request, for `requests` requests.
    pub fn per_request(self, before: Cpu, requests: f64) -> Cpu {
        let n = requests.max(1.0);
        Cpu {
            gateway_ms: (self.gateway_ms - before.gateway_ms) / n,
            postgres_ms: (self.postgres_ms - before.postgres_ms) / n,
            client_ms: (self.client_ms - before.client_ms) / n,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_stat_line_gives_user_system_and_reaped_children() {
        let stat = "42 (postgres: bench db) S 1 42 42 0 -1 4194560 100 0 0 0 150 50 30 20 20 0 1 0 100 0 0";
        assert_eq!(super::cpu_of_stat(stat), Some(2500.0));
    }
}
