package dev.drbdmultiaz.rehearsal.timeline;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Draws a {@link Timeline} as a self-contained SVG (no script, no external reference): a time
 * axis in seconds since the execution started; a lane for the orchestration (Task states as dark
 * bars, Wait states as light ones, every other state as a tick); one lane per node with each
 * script run (colour by document, failed ones red and hatched); a band per round; and a footer
 * with node-side and orchestration seconds per round and in total. Every mark has a
 * {@code <title>} tooltip.
 */
public final class TimelineSvg {

    static final double WIDTH = 1200;
    static final double LEFT = 190;
    static final double PLOT = 970;
    private static final double BAND_TOP = 50;
    private static final double LANES_TOP = 84;
    private static final double ORCHESTRATION_LANE = 34;
    private static final double NODE_LANE = 26;
    private static final double LINE = 15;
    /** About the width of one character at font-size 11 in a sans-serif font. */
    private static final double CHAR = 6.3;
    /** Tableau 10 without its red, which marks failures. */
    private static final List<String> PALETTE = List.of("#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#edc948",
        "#76b7b2", "#9c755f", "#ff9da7", "#bab0ac", "#86bcb6");
    private static final String FAILED = "#d62728";
    private static final double[] TICK_STEPS = {0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600};

    private final Timeline timeline;
    private final double scale;
    private final Map<String, String> colours = new LinkedHashMap<>();

    private TimelineSvg(Timeline timeline) {
        this.timeline = timeline;
        this.scale = PLOT / Math.max(timeline.seconds(), 0.1);
        timeline.rounds().forEach(r -> colours.computeIfAbsent(r.document(),
            d -> PALETTE.get(colours.size() % PALETTE.size())));
    }

    /** The SVG document of {@code timeline}. */
    public static String render(Timeline timeline) {
        return new TimelineSvg(timeline).svg();
    }

    private double x(double seconds) {
        return LEFT + seconds * scale;
    }

    private String svg() {
        List<String> nodes = timeline.nodes();
        double lanesBottom = LANES_TOP + ORCHESTRATION_LANE + 6 + nodes.size() * NODE_LANE;
        double axisTop = lanesBottom + 4;
        double footerTop = axisTop + 44;
        int footerLines = timeline.rounds().size() + 5;
        double height = footerTop + footerLines * LINE + 10;
        Svg svg = new Svg();
        svg.open("svg", "xmlns", "http://www.w3.org/2000/svg", "width", WIDTH, "height", height,
            "viewBox", "0 0 " + Svg.number(WIDTH) + " " + Svg.number(height),
            "font-family", "Helvetica, Arial, sans-serif", "font-size", 11);
        svg.element("title", "Timeline of " + timeline.execution());
        svg.open("defs").open("pattern", "id", "failed-hatch", "width", 6.0, "height", 6.0,
            "patternUnits", "userSpaceOnUse", "patternTransform", "rotate(45)")
            .empty("line", "x1", 0.0, "y1", 0.0, "x2", 0.0, "y2", 6.0, "stroke", FAILED, "stroke-width", 2.0)
            .close("pattern").close("defs");
        svg.empty("rect", "x", 0.0, "y", 0.0, "width", WIDTH, "height", height, "fill", "#ffffff");
        svg.element("text", timeline.execution(), "x", 10.0, "y", 20.0, "font-size", 14, "font-weight", "bold");
        svg.element("text", String.format(Locale.ROOT,
            "%s in %.1f s: %d SSM rounds, %.1f s node-side, %.1f s orchestration", timeline.status(),
            timeline.seconds(), timeline.rounds().size(), timeline.nodeSideSeconds(), timeline.orchestrationSeconds()),
            "x", 10.0, "y", 38.0, "fill", "#333333");
        bands(svg, lanesBottom);
        states(svg);
        for (int n = 0; n < nodes.size(); n++) {
            node(svg, nodes.get(n), LANES_TOP + ORCHESTRATION_LANE + 6 + n * NODE_LANE);
        }
        axis(svg, axisTop);
        footer(svg, footerTop);
        svg.close("svg");
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + svg;
    }

    private void bands(Svg svg, double bottom) {
        List<Timeline.Round> rounds = timeline.rounds();
        for (int i = 0; i < rounds.size(); i++) {
            Timeline.Round r = rounds.get(i);
            double from = x(r.from());
            double width = Math.max(0, x(r.to()) - from);
            svg.open("rect", "class", "round", "x", from, "y", BAND_TOP, "width", width, "height", bottom - BAND_TOP,
                "fill", i % 2 == 0 ? "#e8eef8" : "#f4ede0");
            svg.element("title", roundLine(i, r));
            svg.close("rect");
            String label = (i + 1) + " " + r.step();
            String number = String.valueOf(i + 1);
            String shown = fits(label, width) ? label : fits(number, width) ? number : null;
            if (shown != null) {
                svg.element("text", shown, "class", "round-label", "x", from + 2, "y", BAND_TOP + 12 + (i % 2) * 14,
                    "fill", "#223355");
            }
        }
    }

    private void states(Svg svg) {
        double top = LANES_TOP;
        svg.element("text", "orchestration (states)", "x", 10.0, "y", top + ORCHESTRATION_LANE / 2 + 4);
        svg.empty("line", "x1", LEFT, "y1", top + ORCHESTRATION_LANE, "x2", LEFT + PLOT, "y2", top + ORCHESTRATION_LANE,
            "stroke", "#cccccc");
        for (Timeline.StateSpan s : timeline.states()) {
            double from = x(s.from());
            double width = Math.max(0, x(s.to()) - from);
            String title = String.format(Locale.ROOT, "%s (%s): %.2f–%.2f s, %.2f s", s.name(), s.type(), s.from(),
                s.to(), s.to() - s.from());
            switch (s.type()) {
                case "Task" -> {
                    svg.open("rect", "class", "state task", "x", from, "y", top + 6, "width", width, "height", 22.0,
                        "fill", "#5b6770", "stroke", "#ffffff", "stroke-width", 0.5);
                    svg.element("title", title).close("rect");
                    if (fits(s.name(), width)) {
                        svg.element("text", s.name(), "x", from + 2, "y", top + 21, "fill", "#ffffff");
                    }
                }
                case "Wait" -> {
                    svg.open("rect", "class", "state wait", "x", from, "y", top + 11, "width", width, "height", 12.0,
                        "fill", "#d0d4d8", "stroke", "#9aa3ab", "stroke-width", 0.5);
                    svg.element("title", title).close("rect");
                    if (fits(s.name(), width)) {
                        svg.element("text", s.name(), "x", from + 2, "y", top + 21, "fill", "#333333", "font-size", 9);
                    }
                }
                default -> {
                    svg.open("line", "class", "state other", "x1", from, "y1", top + 2, "x2", from,
                        "y2", top + ORCHESTRATION_LANE - 2, "stroke", "#8a8f94", "stroke-width", 1.0);
                    svg.element("title", title).close("line");
                }
            }
        }
    }

    private void node(Svg svg, String instanceId, double top) {
        svg.element("text", instanceId, "x", 10.0, "y", top + NODE_LANE / 2 + 4);
        svg.empty("line", "x1", LEFT, "y1", top + NODE_LANE, "x2", LEFT + PLOT, "y2", top + NODE_LANE,
            "stroke", "#eeeeee");
        List<Timeline.Round> rounds = timeline.rounds();
        for (int i = 0; i < rounds.size(); i++) {
            Timeline.Round r = rounds.get(i);
            for (Timeline.Invocation inv : r.invocations()) {
                if (inv.instanceId().equals(instanceId)) {
                    invocation(svg, i, r, inv, top);
                }
            }
        }
    }

    private void invocation(Svg svg, int index, Timeline.Round r, Timeline.Invocation inv, double top) {
        double mid = top + NODE_LANE / 2;
        String title = String.format(Locale.ROOT, "%s: %s (%s) %s%s", inv.instanceId(), r.document(), r.step(),
            inv.status(), inv.exitCode() >= 0 && inv.failed() ? " exit " + inv.exitCode() : "")
            + (inv.started()
            ? String.format(Locale.ROOT, ", %.2f–%.2f s, %.2f s", inv.from(), inv.to(), inv.seconds())
            : String.format(Locale.ROOT, ", sent at %.2f s, never started", r.sent()));
        String classes = "invocation" + (inv.failed() ? " failed" : "") + (inv.started() ? "" : " not-started");
        if (!inv.started()) {
            svg.open("rect", "class", classes, "data-round", index + 1, "data-instance", inv.instanceId(),
                "x", x(r.sent()), "y", top + 4, "width", Math.max(0, x(r.to()) - x(r.sent())), "height", NODE_LANE - 8,
                "fill", "none", "stroke", inv.failed() ? FAILED : "#999999", "stroke-dasharray", "3 2");
            svg.element("title", title).close("rect");
            return;
        }
        if (inv.from() > r.sent()) {
            svg.open("line", "class", "delivery", "x1", x(r.sent()), "y1", mid, "x2", x(inv.from()), "y2", mid,
                "stroke", "#999999", "stroke-dasharray", "2 2");
            svg.element("title", String.format(Locale.ROOT, "%s: sent at %.2f s, started %.2f s later",
                inv.instanceId(), r.sent(), inv.from() - r.sent())).close("line");
        }
        double from = x(inv.from());
        double width = inv.seconds() * scale;
        svg.open("rect", "class", classes, "data-round", index + 1, "data-instance", inv.instanceId(),
            "x", from, "y", top + 4, "width", width, "height", NODE_LANE - 8, "fill", colours.get(r.document()),
            "stroke", inv.failed() ? FAILED : "none", "stroke-width", 2.0);
        svg.element("title", title).close("rect");
        if (inv.failed()) {
            svg.empty("rect", "x", from, "y", top + 4, "width", width, "height", NODE_LANE - 8,
                "fill", "url(#failed-hatch)");
        }
        String label = (inv.failed() ? "✗ " : "") + r.document();
        if (fits(label, width)) {
            svg.element("text", label, "x", from + 3, "y", mid + 4, "fill", "#111111", "font-weight",
                inv.failed() ? "bold" : "normal");
        } else if (inv.failed()) {
            svg.element("text", "✗", "x", from + width + 2, "y", mid + 4, "fill", FAILED, "font-weight", "bold");
        }
    }

    private void axis(Svg svg, double top) {
        double step = tickStep(timeline.seconds());
        svg.empty("line", "x1", LEFT, "y1", top, "x2", LEFT + PLOT, "y2", top, "stroke", "#333333");
        for (int k = 0; k * step <= timeline.seconds() + 1e-9; k++) {
            double seconds = k * step;
            double at = x(seconds);
            svg.empty("line", "class", "tick", "data-seconds", Svg.number(seconds), "x1", at, "y1", top, "x2", at,
                "y2", top + 5, "stroke", "#333333");
            svg.element("text", Svg.number(seconds), "x", at, "y", top + 17, "text-anchor", "middle");
        }
        svg.element("text", "seconds since the execution started", "x", LEFT + PLOT / 2, "y", top + 32,
            "text-anchor", "middle", "fill", "#333333");
    }

    private void footer(Svg svg, double top) {
        double y = top;
        double x = 10;
        svg.element("text", "Documents:", "x", x, "y", y, "font-weight", "bold");
        x += 75;
        for (Map.Entry<String, String> entry : colours.entrySet()) {
            svg.empty("rect", "x", x, "y", y - 9, "width", 12.0, "height", 10.0, "fill", entry.getValue());
            svg.element("text", entry.getKey(), "x", x + 16, "y", y);
            x += 16 + entry.getKey().length() * CHAR + 14;
        }
        svg.empty("rect", "x", x, "y", y - 9, "width", 12.0, "height", 10.0, "fill", "url(#failed-hatch)",
            "stroke", FAILED, "stroke-width", 1.5);
        svg.element("text", "failed", "x", x + 16, "y", y);
        y += LINE;
        svg.element("text", "Node lanes: each SSM command's script run on that node"
            + " (dashed line: sent, not started yet). Orchestration lane: Task states dark, Wait states light,"
            + " other states ticks.", "x", 10.0, "y", y, "fill", "#333333");
        y += LINE;
        svg.element("text", "A round (band) runs from the state that sent the command to the first Task state"
            + " that exited with its result; node-side = its slowest node's script run, orchestration = the rest.",
            "x", 10.0, "y", y, "fill", "#333333");
        y += LINE * 1.5;
        List<Timeline.Round> rounds = timeline.rounds();
        for (int i = 0; i < rounds.size(); i++) {
            svg.element("text", roundLine(i, rounds.get(i)), "class", "round-total", "x", 10.0, "y", y);
            y += LINE;
        }
        double inRounds = timeline.orchestrationInRoundsSeconds();
        svg.element("text", String.format(Locale.ROOT,
            "Total: %.1f s wall = %.1f s node-side + %.1f s orchestration"
                + " (%.1f s within the rounds, %.1f s outside them)",
            timeline.seconds(), timeline.nodeSideSeconds(), timeline.orchestrationSeconds(), inRounds,
            timeline.orchestrationSeconds() - inRounds), "class", "total", "x", 10.0, "y", y, "font-weight", "bold");
    }

    private static String roundLine(int index, Timeline.Round r) {
        return String.format(Locale.ROOT,
            "%d. %s (%s on %d %s): %.1f s = %.1f s node-side + %.1f s orchestration", index + 1, r.step(), r.document(),
            r.invocations().size(), r.invocations().size() == 1 ? "node" : "nodes", r.to() - r.from(),
            r.nodeSideSeconds(), r.orchestrationSeconds());
    }

    private static boolean fits(String label, double width) {
        return label.length() * CHAR + 4 <= width;
    }

    /** A step of 1, 2 or 5 times a power of ten (or whole minutes) giving at most 12 ticks. */
    static double tickStep(double seconds) {
        for (double step : TICK_STEPS) {
            if (seconds / step <= 12) {
                return step;
            }
        }
        return TICK_STEPS[TICK_STEPS.length - 1];
    }
}
