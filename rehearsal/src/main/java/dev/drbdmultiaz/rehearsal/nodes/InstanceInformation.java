package dev.drbdmultiaz.rehearsal.nodes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * DescribeInstanceInformation: the fleet's managed nodes as their agents report them, filtered by
 * InstanceIds and PingStatus (in Filters or InstanceInformationFilterList),
 * paged with MaxResults / NextToken.
 */
final class InstanceInformation {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AGENT_VERSION = "3.3.1142.0";

    private final NodeFleet fleet;

    InstanceInformation(NodeFleet fleet) {
        this.fleet = fleet;
    }

    JsonNode describe(JsonNode body) {
        // Both filter forms of the API: Filters (Key/Values) and InstanceInformationFilterList (key/valueSet).
        Map<String, Set<String>> filters = new HashMap<>();
        readFilters(body.path("Filters"), "Key", "Values", filters);
        readFilters(body.path("InstanceInformationFilterList"), "key", "valueSet", filters);
        Set<String> wanted = filters.get("InstanceIds");
        Set<String> pingStatuses = filters.get("PingStatus");
        int max = body.path("MaxResults").asInt(50);
        int start = body.hasNonNull("NextToken") ? Integer.parseInt(body.get("NextToken").asText()) : 0;
        List<SimulatedNode> matching = new ArrayList<>();
        Map<String, String> pings = new LinkedHashMap<>();
        for (SimulatedNode node : fleet.nodes()) {
            // PingStatus is the agent's connection: ConnectionLost for a stopped agent of a running
            // instance as for a terminated one.
            String ping = fleet.isAgentOnline(node.instanceId()) ? "Online" : "ConnectionLost";
            if ((wanted == null || wanted.contains(node.instanceId()))
                && (pingStatuses == null || pingStatuses.contains(ping))) {
                matching.add(node);
                pings.put(node.instanceId(), ping);
            }
        }
        ObjectNode result = JSON.createObjectNode();
        ArrayNode list = result.putArray("InstanceInformationList");
        double now = Instant.now().toEpochMilli() / 1000.0;
        for (SimulatedNode node : matching.subList(Math.min(start, matching.size()),
            Math.min(start + max, matching.size()))) {
            ObjectNode n = list.addObject();
            n.put("InstanceId", node.instanceId());
            n.put("PingStatus", pings.get(node.instanceId()));
            n.put("LastPingDateTime", now);
            n.put("AgentVersion", AGENT_VERSION);
            n.put("IsLatestVersion", true);
            n.put("PlatformType", "Linux");
            n.put("PlatformName", "Ubuntu");
            n.put("PlatformVersion", "24.04");
            n.put("ResourceType", "EC2Instance");
            n.put("IPAddress", node.privateIp());
            n.put("ComputerName", node.computerName());
            n.put("AssociationStatus", "Success");
            n.put("SourceId", node.instanceId());
            n.put("SourceType", "AWS::EC2::Instance");
        }
        if (start + max < matching.size()) {
            result.put("NextToken", Integer.toString(start + max));
        }
        return result;
    }

    /** The InstanceIds and PingStatus filters of one filter list into {@code filters} (a later one wins). */
    private static void readFilters(JsonNode list, String keyField, String valuesField,
        Map<String, Set<String>> filters) {
        for (JsonNode f : list) {
            Set<String> values = new LinkedHashSet<>();
            f.path(valuesField).forEach(v -> values.add(v.asText()));
            String key = f.path(keyField).asText();
            if (key.equals("InstanceIds") || key.equals("PingStatus")) {
                filters.put(key, values);
            }
        }
    }
}
