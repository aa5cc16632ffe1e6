package dev.drbdmultiaz.functions.testing;

import dev.drbdmultiaz.functions.reconcile.registry.RegistryTable;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/** Creates registry tables the way the CDK app does (partition key pk, String). */
public final class Tables {

    private Tables() {
    }

    /** A new, empty registry table with a unique name. */
    public static String createRegistry(DynamoDbClient dynamoDb) {
        String name = "registry-" + UUID.randomUUID();
        dynamoDb.createTable(b -> b.tableName(name)
            .billingMode(BillingMode.PAY_PER_REQUEST)
            .attributeDefinitions(AttributeDefinition.builder().attributeName(RegistryTable.KEY)
                .attributeType(ScalarAttributeType.S).build())
            .keySchema(KeySchemaElement.builder().attributeName(RegistryTable.KEY).keyType(KeyType.HASH).build()));
        return name;
    }
}
