package dev.drbdmultiaz.rehearsal.timeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class TimelineSvgTest {

    private static final double PX_TOLERANCE = 0.15; // coordinates are written to 0.1 px

    /** Two rounds on three nodes, the second failing on i-b; 20 s in all. */
    private static Timeline twoRounds() {
        Timeline.Round install = new Timeline.Round("InstallDrbd", "drbd-install", "c-1", 1.0, 1.5, 13.0, List.of(
            new Timeline.Invocation("i-a", "Success", 0, 2.0, 12.0),
            new Timeline.Invocation("i-b", "Success", 0, 2.0, 9.5),
            new Timeline.Invocation("i-c", "Success", 0, 2.5, 11.0)));
        Timeline.Round up = new Timeline.Round("UpOrAdjust", "drbd-up", "c-2", 14.0, 14.2, 18.0, List.of(
            new Timeline.Invocation("i-a", "Success", 0, 14.5, 16.0),
            new Timeline.Invocation("i-b", "Failed", 1, 14.5, 17.0),
            new Timeline.Invocation("i-c", "Success", 0, 14.6, 15.5)));
        List<Timeline.StateSpan> states = List.of(
            new Timeline.StateSpan("Lock", "Task", 0.1, 0.9),
            new Timeline.StateSpan("Route?", "Choice", 0.9, 0.9),
            new Timeline.StateSpan("Send", "Task", 1.0, 1.6),
            new Timeline.StateSpan("Pause", "Wait", 1.6, 12.5),
            new Timeline.StateSpan("Collect", "Task", 12.5, 13.0),
            new Timeline.StateSpan("Send", "Task", 14.0, 14.3),
            new Timeline.StateSpan("Collect", "Task", 17.5, 18.0));
        return new Timeline("launch-i-a", "FAILED", 20.0, states, List.of(install, up));
    }

    @Test
    void oneRectPerInvocationPlacedOnTheTimeScale() throws Exception {
        Timeline timeline = twoRounds();
        Document svg = parse(TimelineSvg.render(timeline));
        List<Element> ticks = byClass(svg, "line", "tick");
        Element first = ticks.get(0);
        Element last = ticks.get(ticks.size() - 1);
        assertEquals(0.0, Double.parseDouble(first.getAttribute("data-seconds")));
        double x0 = number(first, "x1");
        double pxPerSecond = (number(last, "x1") - x0) / Double.parseDouble(last.getAttribute("data-seconds"));
        assertTrue(pxPerSecond > 0, "the axis runs left to right");

        List<Element> rects = byClass(svg, "rect", "invocation");
        assertEquals(6, rects.size(), "one rect per invocation");
        for (int r = 0; r < timeline.rounds().size(); r++) {
            for (Timeline.Invocation inv : timeline.rounds().get(r).invocations()) {
                Element rect = only(rects, r + 1, inv.instanceId());
                assertEquals(x0 + inv.from() * pxPerSecond, number(rect, "x"), PX_TOLERANCE, "x of " + inv);
                assertEquals(inv.seconds() * pxPerSecond, number(rect, "width"), PX_TOLERANCE, "width of " + inv);
                assertEquals(inv.failed(), rect.getAttribute("class").contains("failed"), "failed mark of " + inv);
            }
        }
        assertEquals(1, byClass(svg, "rect", "failed").size(), "only the failed run is marked failed");

        List<String> labels = texts(svg, "round-label");
        assertEquals(List.of("1 InstallDrbd", "2 UpOrAdjust"), labels);
        assertEquals(List.of(
            "1. InstallDrbd (drbd-install on 3 nodes): 12.0 s = 10.0 s node-side + 2.0 s orchestration",
            "2. UpOrAdjust (drbd-up on 3 nodes): 4.0 s = 2.5 s node-side + 1.5 s orchestration"),
            texts(svg, "round-total"));
        assertEquals(List.of("Total: 20.0 s wall = 12.5 s node-side + 7.5 s orchestration"
            + " (3.5 s within the rounds, 4.0 s outside them)"), texts(svg, "total"));
        assertEquals(timeline.states().size(), byClass(svg, "*", "state").size(), "one mark per state entered");
    }

    @Test
    void namesWithMarkupCharactersStayText() throws Exception {
        String name = "run <1> & \"quoted\" 'single'";
        String step = "Step</text><script>alert(1)</script>\u0001";
        Timeline timeline = new Timeline(name, "SUCCEEDED", 10.0,
            List.of(new Timeline.StateSpan("A&B<C>", "Task", 0.5, 9.0)),
            List.of(new Timeline.Round(step, "doc\"<x>", "c-1", 1.0, 1.0, 9.0,
                List.of(new Timeline.Invocation("i-<a>", "Success", 0, 1.0, 8.0)))));
        String text = TimelineSvg.render(timeline);
        Document svg = parse(text);
        assertFalse(text.contains("<script>"), "markup in a name must not become an element");
        assertEquals(0, svg.getElementsByTagName("script").getLength());
        assertEquals("Timeline of " + name,
            svg.getDocumentElement().getElementsByTagName("title").item(0).getTextContent());
        String shownStep = step.replace('\u0001', '\uFFFD');
        assertTrue(texts(svg, "round-total").get(0).startsWith("1. " + shownStep + " (doc\"<x> on 1 node)"),
            texts(svg, "round-total").toString());
        assertEquals("i-<a>", byClass(svg, "rect", "invocation").get(0).getAttribute("data-instance"));
    }

    @Test
    void escapeCoversMarkupAndCharactersXmlForbids() {
        assertEquals("&lt;a href=&quot;x&quot;&gt;&amp;&apos;", Svg.escape("<a href=\"x\">&'"));
        assertEquals("tab\tnl\n\uFFFD\uFFFD", Svg.escape("tab\tnl\n\u0000\u001b"));
        assertEquals("\uFFFD ok \uD83D\uDE00", Svg.escape("\uD800 ok \uD83D\uDE00"),
            "lone surrogate replaced, pair kept");
    }

    @Test
    void tickStepKeepsAtMostTwelveTicks() {
        assertEquals(0.1, TimelineSvg.tickStep(1.0));
        assertEquals(10, TimelineSvg.tickStep(95));
        assertEquals(15, TimelineSvg.tickStep(121));
        assertEquals(60, TimelineSvg.tickStep(700));
    }

    private static Document parse(String svg) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<Element> byClass(Document svg, String tag, String cssClass) {
        NodeList nodes = svg.getElementsByTagNameNS("*", tag);
        List<Element> found = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            Element e = (Element) nodes.item(i);
            if (List.of(e.getAttribute("class").split(" ")).contains(cssClass)) {
                found.add(e);
            }
        }
        return found;
    }

    private static List<String> texts(Document svg, String cssClass) {
        return byClass(svg, "text", cssClass).stream().map(Element::getTextContent).toList();
    }

    private static Element only(List<Element> rects, int round, String instanceId) {
        List<Element> matching = rects.stream().filter(e -> e.getAttribute("data-round").equals(String.valueOf(round))
            && e.getAttribute("data-instance").equals(instanceId)).toList();
        assertEquals(1, matching.size(), "round " + round + " on " + instanceId);
        return matching.get(0);
    }

    private static double number(Element e, String attribute) {
        return Double.parseDouble(e.getAttribute(attribute));
    }
}
