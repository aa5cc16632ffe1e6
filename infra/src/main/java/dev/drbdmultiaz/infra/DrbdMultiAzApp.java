package dev.drbdmultiaz.infra;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import java.nio.file.Path;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;

/**
 * The CDK app ({@code cdk.json} runs it through {@code bin/cdk-app} from the repository root).
 *
 * <p>Reads the {@code drbd:} context once, builds one stack and applies the cdk-nag
 * AwsSolutions checks: an unsuppressed finding is an error and makes {@code cdk synth} fail.
 */
public final class DrbdMultiAzApp {

    private DrbdMultiAzApp() {
    }

    public static void main(String[] args) {
        App app = new App();
        ClusterSettings settings = ClusterSettings.fromContext(app.getNode());
        new DrbdMultiAzStack(app, "DrbdMultiAz", DrbdMultiAzStackProps.builder()
                .projectRoot(Path.of("").toAbsolutePath())
                .settings(settings)
                .build());
        Aspects.of(app).add(new AwsSolutionsChecks());
        app.synth();
    }
}
