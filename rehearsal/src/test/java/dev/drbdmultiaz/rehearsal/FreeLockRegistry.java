package dev.drbdmultiaz.rehearsal;

import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * A registry whose cluster lock is always free: every conditional write succeeds. For tests of
 * TriggerReconcile's event handling that must start one execution per event, not coalesce them.
 */
final class FreeLockRegistry implements DynamoDbClient {

    @Override
    public UpdateItemResponse updateItem(UpdateItemRequest request) {
        return UpdateItemResponse.builder().attributes(Map.of("generation", AttributeValue.fromN("1"))).build();
    }

    @Override
    public String serviceName() {
        return SERVICE_NAME;
    }

    @Override
    public void close() {
    }
}
