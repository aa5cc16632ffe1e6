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
 * A refused setting ends the app with its one-line message on stderr and exit code 2, not a
 * stack trace.
 */
public final class DrbdMultiAzApp {

    private DrbdMultiAzApp() {
    }

    /** Exit code of a refused setting (the usual code for bad usage). */
    static final int INVALID_SETTING = 2;

    public static void main(String[] args) {
        App app = new App();
        ClusterSettings settings;
        try {
            settings = ClusterSettings.fromContext(app.getNode());
        } catch (ClusterSettings.InvalidSettingException e) {
            System.err.println("drbd-multiaz: " + e.getMessage());
            System.exit(INVALID_SETTING);
            return;
        }
        new DrbdMultiAzStack(app, "DrbdMultiAz", DrbdMultiAzStackProps.builder()
                .projectRoot(Path.of("").toAbsolutePath())
                .settings(settings)
                .build());
        Aspects.of(app).add(new AwsSolutionsChecks());
        app.synth();
    }
}
