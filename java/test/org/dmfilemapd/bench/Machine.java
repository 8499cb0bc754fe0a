package org.dmfilemapd.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Where the numbers come from: kernel, CPUs, memory, virtualisation. */
final class Machine {
    private Machine() {
    }

    static Map<String, Object> describe() throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kernel", Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim());
        m.put("cpus", Runtime.getRuntime().availableProcessors());
        String model = "?";
        for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
            if (line.startsWith("model name")) {
                model = line.substring(line.indexOf(':') + 1).trim();
                break;
            }
        }
        m.put("cpu_model", model);
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemTotal:")) {
                m.put("mem_kb", Long.parseLong(line.replaceAll("\\D+", "")));
            }
        }
        m.put("virtualisation", System.getProperty("bench.machine", "unknown"));
        m.put("host_cpu_model", System.getProperty("bench.hostCpu", ""));
        m.put("java", System.getProperty("java.vm.version"));
        return m;
    }
}
